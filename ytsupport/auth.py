"""Who may do what: roles, the users file, password hashes (argon2), session expiry, the
throttling of password guesses, and where the dashboard may listen.

Without a users file the app runs in local single-user mode (loopback only, unless the operator
passes ``--insecure-local-network``), with the admin role and a visible banner. With one
(``YTSUPPORT_USERS_FILE``), everyone logs in.
"""
from __future__ import annotations

import ipaddress
import os
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Literal

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .files import private_dir, private_file
from .settings import get_settings

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")

# What each role may do; a role has its own rights and those of the roles before it.
RIGHTS: dict[Role, frozenset[str]] = {
    "viewer": frozenset({"view", "report"}),
    "editor": frozenset({"view", "report", "upload", "revert", "snapshot", "comment"}),
    "admin": frozenset({"view", "report", "upload", "revert", "snapshot", "comment", "personal_data", "audit", "plan",
                        "users"}),
}
LOCAL_USER = "local"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: Role


def can(role: str | None, right: str) -> bool:
    """True when ``role`` holds ``right`` (unknown roles hold none)."""
    return right in RIGHTS.get(role, frozenset())  # type: ignore[arg-type]


def users_file() -> Path | None:
    """The configured users file (``YTSUPPORT_USERS_FILE``), or None: local single-user mode."""
    return get_settings().users_file


def session_timeout_s() -> float:
    return get_settings().session_timeout_min * 60


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def load_users(path: Path) -> dict[str, dict]:
    """The users file: ``users: {username: {name, role, password_hash}}``; validated."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    users = (raw or {}).get("users") or {}
    for username, entry in users.items():
        if entry.get("role") not in ROLES or not entry.get("password_hash"):
            raise ValueError(f"{path}: user '{username}' needs a role in {ROLES} and a password_hash")
    return users


def authenticate(path: Path, username: str, password: str) -> User | None:
    """The user when the password matches its argon2 hash; None otherwise (same cost either way)."""
    entry = load_users(path).get(username.strip())
    stored = entry["password_hash"] if entry else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or entry is None:
        return None
    return User(username.strip(), entry.get("name") or username, entry["role"])


# --------------------------------------------------------------------------- password guessing

AuditFn = Callable[[str, str, dict], None]
"""Appends to the audit log: (actor, action, details)."""


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class LoginThrottle:
    """Failed logins counted per user name and per client address, in this server process.

    The first ``free_per_user`` failures of a name (``free_per_address`` of an address) cost
    nothing; each further one locks that name (address) for ``base_s`` doubled per failure, at
    most ``max_s``. A success clears the name's count (not the address's: one known account must
    not reset an address that guesses others). Failures older than ``forget_s`` are forgotten.
    Names are counted whether or not they exist, so a lock says nothing about who has an account.
    """

    def __init__(self, free_per_user: int = 5, free_per_address: int = 20, base_s: float = 30.0,
                 max_s: float = 900.0, forget_s: float = 3600.0, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free = {"user": free_per_user, "address": free_per_address}
        self.base_s, self.max_s, self.forget_s, self.max_keys = base_s, max_s, forget_s, max_keys
        self.clock = clock
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("user", username.strip().casefold())]
        return keys + [("address", address)] if address else keys

    def _lock_s(self, key: tuple[str, str], now: float) -> float:
        entry = self._failures.get(key)
        if entry is None or now - entry.last > self.forget_s:
            return 0.0
        excess = entry.count - self.free[key[0]]
        if excess < 0:
            return 0.0
        return max(0.0, entry.last + min(self.max_s, self.base_s * 2 ** excess) - now)

    def wait_s(self, username: str, address: str | None) -> float:
        """Seconds before ``username`` may try again from ``address`` (0: now)."""
        now = self.clock()
        with self._lock:
            return max(self._lock_s(key, now) for key in self._keys(username, address))

    def failed(self, username: str, address: str | None) -> int:
        """Count a failure; returns the name's failures in a row."""
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.max_keys:  # a flood of names: forget the oldest half
                for key, _ in sorted(self._failures.items(), key=lambda kv: kv[1].last)[: self.max_keys // 2]:
                    del self._failures[key]
            for key in self._keys(username, address):
                entry = self._failures.setdefault(key, _Failures())
                if now - entry.last > self.forget_s:
                    entry.count = 0
                entry.count, entry.last = entry.count + 1, now
            return self._failures[self._keys(username, address)[0]].count

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, None)[0], None)


THROTTLE = LoginThrottle()
"""The server process's throttle (Streamlit serves every session from one process)."""


@dataclass(frozen=True)
class LoginResult:
    """The user on success; otherwise None and, when locked, the seconds to wait."""

    user: User | None
    retry_after_s: float = 0.0


def attempt_login(path: Path, username: str, password: str, address: str | None, audit: AuditFn,
                  throttle: LoginThrottle = THROTTLE) -> LoginResult:
    """Check a login from the form, throttled and audited (``login``, ``login_failed``,
    ``login_throttled``; the typed name as actor, cut to 64 characters).

    A locked name or address is refused before the password is checked, so a guess made while
    locked learns nothing. Unknown names and wrong passwords take the same time and are counted
    and answered alike.
    """
    actor = username.strip()[:64] or "?"
    wait = throttle.wait_s(username, address)
    if wait > 0:
        audit(actor, "login_throttled", {"address": address, "retry_after_s": round(wait)})
        return LoginResult(None, wait)
    user = authenticate(path, username, password)
    if user is None:
        failures = throttle.failed(username, address)
        audit(actor, "login_failed", {"address": address, "failures": failures})
        return LoginResult(None, throttle.wait_s(username, address))
    throttle.succeeded(username)
    audit(user.username, "login", {"user": user.username, "role": user.role, "address": address})
    return LoginResult(user)


def add_user(path: Path, username: str, password: str, role: Role, name: str | None = None) -> None:
    """Create or update a user in the users file (the password is stored only as an argon2 hash)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    raw = raw or {}
    raw.setdefault("users", {})[username] = {"name": name or username, "role": role,
                                             "password_hash": hash_password(password)}
    private_dir(path.parent)
    tmp = private_file(path.with_suffix(".tmp"))
    tmp.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


INSECURE_NETWORK_ENV = "YTSUPPORT_INSECURE_LOCAL_NETWORK"


def is_loopback(address: str) -> bool:
    """True when ``address`` can be reached from this machine only (127.0.0.0/8, ::1, localhost).

    A host name other than localhost is not: it may resolve to a network interface.
    """
    value = address.strip().strip("[]").lower()
    if value == "localhost":
        return True
    try:
        return ipaddress.ip_address(value).is_loopback
    except ValueError:
        return False


def oidc_configured(secrets_files: Iterable[Path]) -> bool:
    """True when one of Streamlit's secrets files has an ``[auth]`` section (logins by ``st.login``)."""
    for path in secrets_files:
        try:
            if "auth" in tomllib.loads(Path(path).read_text(encoding="utf-8")):
                return True
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
    return False


def serve_refusal(address: str, logins: bool, insecure_local_network: bool) -> str | None:
    """Why the dashboard must not listen on ``address``, or None when it may.

    Without logins every visitor is the local admin (personal data included), so only loopback
    is allowed, unless the operator explicitly accepts the risk with ``--insecure-local-network``.
    """
    if logins or is_loopback(address) or insecure_local_network:
        return None
    from .i18n import t

    return "\n".join(t("serve_refused", lang, address=address) for lang in ("vi", "en"))


def insecure_local_network() -> bool:
    """True when ``serve --insecure-local-network`` opened the local mode to the network (banner)."""
    return get_settings().insecure_local_network


def expired(last_seen: float | None, now: float | None = None) -> bool:
    """True when a session idle since ``last_seen`` (epoch seconds) has passed the timeout."""
    if last_seen is None:
        return True
    return (now if now is not None else time.time()) - last_seen > session_timeout_s()


_DUMMY_HASH = _hasher.hash("not a password of anyone")
