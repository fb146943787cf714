"""Reading /metrics in tests: the endpoint's text parsed by prometheus-client's parser."""

from prometheus_client.parser import text_string_to_metric_families


def scraped(client, **extra) -> dict:
    """{(sample name, frozenset of labels): value} of one scrape (must answer 200)."""
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200, response.status_code
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    """The sum of a sample's values over the series whose labels include these."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def family_names(client) -> set[str]:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    names = set()
    for family in text_string_to_metric_families(response.content.decode()):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names
