"""A small but real OpenID provider for the ProConnect tests, run in its own process.

It speaks the authorization code flow as ProConnect does (acr_values, nonce, PKCE S256,
a userinfo answer that is a signed JWT) and signs with an RSA key it makes at start,
published on /jwks. /_control sets how the next tokens are made ("tamper", "wrong_aud",
"expired") and the claims of the agent who "signs in"; /_log tells what it was sent.

    python provider.py PORT CLIENT_ID CLIENT_SECRET
"""

import base64
import hashlib
import json
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

PORT, CLIENT_ID, CLIENT_SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ISSUER = f"http://127.0.0.1:{PORT}/api/v2"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
STATE = {"mode": "", "claims": {}, "codes": {}, "tokens": {}, "log": []}


def sign(claims: dict) -> str:
    return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, KEY)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.answer(302, headers=[("Location", location)])

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        return raw, {k: v[0] for k, v in parse_qs(raw).items()}

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/api/v2/jwks":
            body = {"keys": [KEY.as_dict(private=False)]}
            return self.answer(200, json.dumps(body).encode())
        if url.path == "/api/v2/authorize":
            STATE["log"].append({"endpoint": "authorize", **query})
            ok = (
                query.get("client_id") == CLIENT_ID
                and query.get("response_type") == "code"
                and query.get("acr_values") == "eidas1"
                and query.get("nonce")
                and query.get("code_challenge_method") == "S256"
                and query.get("code_challenge")
            )
            if not ok:
                return self.answer(400, b'{"error": "invalid_request"}')
            code = secrets.token_urlsafe(16)
            STATE["codes"][code] = query
            params = urlencode({"code": code, "state": query["state"]})
            return self.redirect(f"{query['redirect_uri']}?{params}")
        if url.path == "/api/v2/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in STATE["tokens"]:
                return self.answer(401, b'{"error": "invalid_token"}')
            claims = {**STATE["tokens"][token], "iss": ISSUER, "aud": CLIENT_ID}
            return self.answer(200, sign(claims).encode(), content_type="application/jwt")
        if url.path == "/api/v2/session/end":
            STATE["log"].append({"endpoint": "session/end", **query})
            return self.redirect(query.get("post_logout_redirect_uri", "/"))
        if url.path == "/_logout_token":  # what ProConnect would POST to our back channel
            claims = {
                "iss": ISSUER,
                "aud": query.get("aud", CLIENT_ID),
                "iat": int(time.time()) - int(query.get("age", 0)),
                "jti": query.get("jti") or secrets.token_urlsafe(12),
                "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
            }
            claims.update({k: query[k] for k in ("sid", "sub") if k in query})
            return self.answer(200, sign(claims).encode(), content_type="application/jwt")
        if url.path == "/_log":
            return self.answer(200, json.dumps(STATE["log"]).encode())
        return self.answer(404, b"{}")

    def do_POST(self):
        url = urlsplit(self.path)
        raw, form = self.form()
        if url.path == "/_control":
            STATE.update(json.loads(raw))
            return self.answer(200, b"{}")
        if url.path != "/api/v2/token":
            return self.answer(404, b"{}")
        request = STATE["codes"].pop(form.get("code", ""), None)  # a code is used once
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            request is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != request["redirect_uri"]
            or challenge != request["code_challenge"]
        ):
            return self.answer(400, b'{"error": "invalid_grant"}')
        now = int(time.time())
        mode = STATE["mode"]
        sub = STATE["claims"]["sub"]
        id_claims = {
            "iss": ISSUER,
            "aud": "someone-else" if mode == "wrong_aud" else CLIENT_ID,
            "sub": sub,
            "nonce": request["nonce"],
            "acr": "eidas1",
            "sid": STATE.get("sid", "session-1"),
            "iat": now - 7200 if mode == "expired" else now,
            "exp": now - 3600 if mode == "expired" else now + 60,
        }
        id_token = sign(id_claims)
        if mode == "tamper":  # another subject, the signature left as it was
            head, _, sig = id_token.split(".")
            forged = {**id_claims, "sub": "someone-else"}
            body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
            id_token = f"{head}.{body}.{sig}"
        access_token = secrets.token_urlsafe(24)
        STATE["tokens"][access_token] = dict(STATE["claims"])
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": id_token,
        }
        return self.answer(200, json.dumps(body).encode())


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print("ready", flush=True)
    server.serve_forever()
