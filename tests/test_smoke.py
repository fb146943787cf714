"""The site answers: sign-in page for visitors, home page for agents."""


def test_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_agent_sees_home_page(alice_client):
    response = alice_client.get("/")
    assert response.status_code == 200
    assert "Alice" in response.content.decode()
