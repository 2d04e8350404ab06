"""Schemathesis hooks for scripts/api-fuzz.sh: the credentials of every call, by the
`security` the document gives the operation.

- `adminToken`, `agentToken`: the server's tokens, as bearer tokens.
- `agentSession` (the calls only a signed-in agent makes: the team's accounts, presence,
  who is signed in): the session cookie and X-CSRF-Token of the admin account the script
  made, signed in again whenever a call says the session has ended (401).
- `conversationToken` (a shopper's calls about one conversation, `/v1/chat/{id}/…`): an id
  and its token belong together. Every conversation a `POST /v1/chat` answered with is
  remembered (the fuzzer's, and one started here every few seconds, as shoppers close
  theirs while fuzzing). A case whose id is one of them gets its token; of the others,
  one in three is pointed at the freshest conversation, one in three at any conversation,
  and one in three keeps its made-up id, with a well-formed token, which must be a 404.
- The agents' calls about one conversation (`/v1/agent/conversations/{id}…`) are pointed
  at real conversations the same way.
- Guesses (a bearer token that is not ours, a sign-in, a stream ticket) on the agent and
  admin calls come from an address of their own (X-Forwarded-For): the server makes an
  address that guessed wrong 20 times wait, and the rest of the run would get nothing
  but 429.
- Verified identities: a third of the chats started carry the identity of one of five
  customers, signed with the shop's identity secret, and of the requests for a customer's
  earlier conversations (`POST /v1/chat/history`) a third ask for one of them and a third
  for their own id, both signed; the rest keep what was generated.

(Schemathesis drops hook-registered auth when its configuration has an `[auth]` table,
so the tokens are here too.)

Environment (set by scripts/api-fuzz.sh): SHOPDESK_URL, SHOPDESK_AGENT_TOKEN,
SHOPDESK_ADMIN_TOKEN, SHOPDESK_ADMIN_EMAIL, SHOPDESK_ADMIN_PASSWORD,
SHOPDESK_IDENTITY_SECRET.
"""

import hashlib
import hmac
import os
import re
import threading
import zlib

import requests
import schemathesis

BASE = os.environ["SHOPDESK_URL"].rstrip("/")
TIMEOUT = 10
TOKENS = {
    "adminToken": os.environ["SHOPDESK_ADMIN_TOKEN"],
    "agentToken": os.environ["SHOPDESK_AGENT_TOKEN"],
}
# What this file can meet, in the order it prefers them when an operation takes several:
# the agents' calls go with the automation token, and only those no token opens with the
# admin's session.
PREFERRED = ["adminToken", "agentToken", "conversationToken", "agentSession"]


def scheme(operation) -> str | None:
    """The security scheme used for the operation (`None`: it takes no credential)."""
    default = operation.schema.raw_schema.get("security", [])
    security = operation.definition.raw.get("security", default)
    met = [next(iter(r)) for r in security if len(r) == 1 and next(iter(r)) in PREFERRED]
    return min(met, key=PREFERRED.index) if met else None


def _uses(name):
    def matches(context) -> bool:
        return scheme(context.operation) == name

    matches.__name__ = f"uses_{name}"
    return matches


def _header(case, name: str, value: str) -> None:
    # In place: Schemathesis keeps headers in a case-insensitive dict.
    if case.headers is None:
        case.headers = {}
    case.headers[name] = value


def _bearer(case, token: str) -> None:
    _header(case, "Authorization", f"Bearer {token}")


# ------------------------------------------------------------------ conversations

_lock = threading.Lock()
# Conversation id -> its token, in the order they were learnt.
_conversations: dict[str, str] = {}


def _remember(id_: str, token: str) -> None:
    with _lock:
        _conversations[id_] = token


def _known(id_: object) -> str | None:
    with _lock:
        return _conversations.get(id_) if isinstance(id_, str) else None


def _pick(generated: object, fresh: tuple[str, str] | None = None) -> tuple[str, str] | None:
    """A real conversation for a made-up id, or `None` to keep it (chosen by the id
    itself, so a case replays the same way)."""
    seed = zlib.crc32(repr(generated).encode())
    with _lock:
        items = list(_conversations.items())
    fresh = fresh or (items[-1] if items else None)
    if seed % 3 == 0 or fresh is None:
        return None
    if seed % 3 == 1:
        return fresh
    return items[(seed // 3) % len(items)]


@schemathesis.auth(refresh_interval=5, retry_on=[]).apply_to(_uses("conversationToken"))
class Conversation:
    def get(self, case, context):
        response = requests.post(
            f"{BASE}/v1/chat",
            json={"page_title": "schemathesis", "locale": "en"},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        body = response.json()
        _remember(body["id"], body["token"])
        return body["id"], body["token"]

    def set(self, case, data, context):
        generated = case.path_parameters.get("id")
        token = _known(generated)
        if token is None:
            chosen = _pick(generated, data)
            if chosen is not None:
                case.path_parameters["id"], token = chosen
            else:
                token = data[1]
        _bearer(case, token)


# ------------------------------------------------------------------ agents and admins


def _sign_in() -> tuple[str, str]:
    session = requests.Session()
    response = session.post(
        f"{BASE}/v1/agent/session",
        json={
            "email": os.environ["SHOPDESK_ADMIN_EMAIL"],
            "password": os.environ["SHOPDESK_ADMIN_PASSWORD"],
        },
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    return session.cookies["shopdesk_agent"], response.json()["csrf"]


# Signed in before the run: the fuzzer's own failed sign-ins soon make this address wait
# (429) for any sign-in, ours included. Again only if a call says the session ended.
_first_session = [_sign_in()]


@schemathesis.auth(refresh_interval=24 * 3600).apply_to(_uses("agentSession"))
class AgentSession:
    def get(self, case, context):
        return _first_session.pop() if _first_session else _sign_in()

    def set(self, case, data, context):
        cookie, csrf = data
        _header(case, "Cookie", f"shopdesk_agent={cookie}")
        _header(case, "X-CSRF-Token", csrf)


@schemathesis.auth(refresh_interval=None).apply_to(_uses("agentToken"))
class AgentToken:
    def get(self, case, context):
        return TOKENS["agentToken"]

    def set(self, case, data, context):
        _bearer(case, data)


@schemathesis.auth(refresh_interval=None).apply_to(_uses("adminToken"))
class AdminToken:
    def get(self, case, context):
        return TOKENS["adminToken"]

    def set(self, case, data, context):
        _bearer(case, data)


# ------------------------------------------------------------------ verified identities

IDENTITY_SECRET = os.environ["SHOPDESK_IDENTITY_SECRET"].encode()
CUSTOMERS = 5


def _signature(customer: str) -> str:
    return hmac.new(IDENTITY_SECRET, customer.encode(), hashlib.sha256).hexdigest()


def _identify(case) -> None:
    body = case.body
    if not isinstance(body, dict):
        return
    seed = zlib.crc32(repr(body).encode())
    customer = f"customer-{seed // 3 % CUSTOMERS}"
    if case.operation.path == "/v1/chat" and seed % 3 == 1:
        identity = body.setdefault("identity", {})
        if isinstance(identity, dict):
            identity["id"] = customer
            identity["signature"] = _signature(customer)
    elif case.operation.path == "/v1/chat/history" and seed % 3 != 0:
        if seed % 3 == 1:
            body["id"] = customer
        if isinstance(body.get("id"), str):
            body["signature"] = _signature(body["id"])


# ------------------------------------------------------------------ every call

AGENT_CONVERSATION = re.compile(r"^/v1/agent/conversations/\{id\}")
# Where wrong bearer tokens and failed sign-ins count per client address (the server runs
# with --trust-proxy, so X-Forwarded-For is that address).
THROTTLED = re.compile(r"^/v1/(agent|reports|admin)/")


def _guess(case) -> bool:
    """Whether the case guesses a credential: a bearer token that is not ours, a sign-in,
    or a stream ticket (the server counts a refused ticket as a wrong token when the
    request also carries ours)."""
    if case.operation.path == "/v1/agent/session" and case.operation.method.upper() == "POST":
        return True
    if case.operation.path == "/v1/agent/events" and "ticket" in (case.query or {}):
        return True
    value = (case.headers or {}).get("Authorization")
    return (
        isinstance(value, str)
        and value.startswith("Bearer ")
        and value.removeprefix("Bearer ") not in TOKENS.values()
    )


@schemathesis.hook
def before_call(context, case, kwargs):
    _identify(case)
    generated = case.path_parameters.get("id")
    if AGENT_CONVERSATION.match(case.operation.path) and _known(generated) is None:
        chosen = _pick(generated)
        if chosen is not None:
            case.path_parameters["id"] = chosen[0]
    # After 20 wrong guesses in 15 minutes an address waits (429) on every agent and admin
    # call, the fuzzer's good ones included: each guess comes from an address of its own.
    if THROTTLED.match(case.operation.path) and _guess(case):
        n = zlib.crc32(repr((case.headers, case.query, case.body)).encode())
        _header(case, "X-Forwarded-For", f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")


@schemathesis.hook
def after_call(context, case, response):
    # Learn the conversations the fuzzer started (and the ones it resumed).
    started = case.operation.path in ("/v1/chat", "/v1/chat/resume")
    if started and response.status_code in (200, 201):
        try:
            body = response.json()
            _remember(body["id"], body["token"])
        except (ValueError, KeyError, TypeError):
            pass
