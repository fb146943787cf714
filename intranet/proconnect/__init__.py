"""ProConnect: sign-in through the State's identity federation for agents (OpenID Connect)."""
