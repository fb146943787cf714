"""Error reports to a self-hosted Sentry-compatible server (sentry-sdk), without personal data.

On only when TRANSVERSE_SENTRY_DSN is set (Sentry, GlitchTip or any server speaking its
envelope protocol, run by the administration: the DSN names it). The SDK is told to send
no personal data (send_default_pii off, no local variables, no request bodies), and
`scrub_event` runs on every event before it leaves: it keeps the request's method and
path (its view), drops cookies, headers, the query string, the user, the breadcrumbs
(log lines may name agents), and masks e-mail addresses, IP addresses and anything that
looks like a token in the exception messages that remain.
"""

import re

# An e-mail, an IPv4 or IPv6 address, a long run of token-like characters (session keys,
# reset tokens, JWTs): replaced wherever they appear in a message.
_MASKS = (
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b"),
    re.compile(r"(?<![\w:])[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])"),
    re.compile(r"[A-Za-z0-9_\-.]{24,}"),
)
MASK = "[removed]"
KEPT_REQUEST_KEYS = ("method", "url")


def scrub_text(text):
    if not isinstance(text, str):
        return text
    for pattern in _MASKS:
        text = pattern.sub(MASK, text)
    return text


def scrub_event(event, hint=None):
    """sentry-sdk's before_send: the event without personal data (see the module)."""
    request = event.get("request")
    if isinstance(request, dict):
        url = request.get("url")
        event["request"] = {key: request[key] for key in KEPT_REQUEST_KEYS if key in request}
        if isinstance(url, str):  # the path only: no query string, no host
            event["request"]["url"] = scrub_text(url.split("?", 1)[0])
    for key in ("user", "breadcrumbs", "extra", "server_name"):
        event.pop(key, None)
    contexts = event.get("contexts")
    if isinstance(contexts, dict):
        contexts.pop("user", None)
    for value in (event.get("exception") or {}).get("values") or ():
        value["value"] = scrub_text(value.get("value"))
        for frame in (value.get("stacktrace") or {}).get("frames") or ():
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
        logentry["message"] = scrub_text(logentry.get("message"))
        if "formatted" in logentry:
            logentry["formatted"] = scrub_text(logentry["formatted"])
    if "message" in event:
        event["message"] = scrub_text(event["message"])
    return event


def sentry_init(dsn: str, *, environment: str = "", release: str = "") -> bool:
    """Start sentry-sdk when a DSN is given; returns whether it did."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=scrub_event,
        before_send_transaction=lambda event, hint: None,
        integrations=[DjangoIntegration(transaction_style="function_name")],
    )
    return True
