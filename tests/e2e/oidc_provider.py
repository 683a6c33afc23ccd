"""A local OpenID Connect provider for the sign-in tests: oidc-provider-mock on 127.0.0.1.

Run as ``python -m tests.e2e.oidc_provider PORT USERS_JSON`` (USERS_JSON: ``{"sub": {claims}}``).
It runs in a process of its own, so that pytest's warnings-as-errors does not reach the
provider's request handling (Authlib warns about its own deprecations there).
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> None:
    import werkzeug.serving
    from oidc_provider_mock import User, app

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http, on the loopback interface only
    port, users = int(argv[0]), json.loads(argv[1])
    provider = app(user_claims=[User(sub=sub, claims=claims) for sub, claims in users.items()])
    werkzeug.serving.make_server("127.0.0.1", port, provider, threaded=True).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
