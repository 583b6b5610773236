"""Who may read and who may write an added model: its audiences, checked here and nowhere else.

An audience is `anyone` (no token), `users` (signed in), `owner` (the record's owner, for --owned models),
a role name (signed-in users holding it), or `superusers`. Superusers are in every audience. `read` covers
listing and reading one record; `write` covers create, bulk, update and delete.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbgen.errors import InvalidOption

ANYONE, USERS, OWNER, SUPERUSERS = "anyone", "users", "owner", "superusers"
AUDIENCES = (ANYONE, USERS, OWNER, SUPERUSERS)
OPERATIONS = ("list", "read", "create", "update", "delete", "bulk")
WRITES = ("create", "update", "delete", "bulk")
SUCCESS = {"list": 200, "read": 200, "create": 201, "update": 200, "delete": 204, "bulk": 201}


def rank(audience: str) -> int:
    """How few callers an audience lets in: anyone 0 < users 1 < owner or a role 2 < superusers 3."""
    return {ANYONE: 0, USERS: 1, SUPERUSERS: 3}.get(audience, 2)


@dataclass(frozen=True)
class Policy:
    read: str
    write: str
    owned: bool = False

    @property
    def public(self) -> bool:
        """Anyone may list: the list is cacheable by shared caches (ETag, Cache-Control: public)."""
        return self.read == ANYONE

    @property
    def scoped(self) -> bool:
        """Reads keep a normal user to their own records (someone else's is a 404)."""
        return self.read == OWNER

    @property
    def owner_checked(self) -> bool:
        """Others' records are readable but only their owner changes them (someone else's is a 403)."""
        return self.write == OWNER and self.read != OWNER

    def role(self, side: str) -> str | None:
        """The role this side (`read` or `write`) names, if it names one."""
        audience = self.read if side == "read" else self.write
        return None if audience in AUDIENCES else audience

    @property
    def roles(self) -> list[str]:
        return sorted({r for r in (self.role("read"), self.role("write")) if r is not None})

    def describe(self) -> str:
        return f"read {self.read}, write {self.write}"


def default(owned: bool) -> Policy:
    """Owned models: their owner reads and writes; others: signed-in users read, superusers write."""
    return Policy(OWNER, OWNER, owned) if owned else Policy(USERS, SUPERUSERS, owned)


def resolve(read: str | None, write: str | None, owned: bool) -> Policy:
    """The policy a model has: what was chosen, the default for its kind where nothing was."""
    base = default(owned)
    return Policy(read or base.read, write or base.write, owned)


def check(model: str, policy: Policy, *, roles: list[str], auth: str) -> None:
    """Refuse a policy that cannot be served: one line that says why."""
    if auth != "jwt":
        raise InvalidOption("--read and --write need login, and this project has an open API (--auth none)")
    for side, audience in (("read", policy.read), ("write", policy.write)):
        if audience not in AUDIENCES and audience not in roles:
            known = ", ".join([*AUDIENCES, *roles])
            hint = f"; add the role with `dbgen add-role {audience}` first" if audience.isidentifier() else ""
            raise InvalidOption(f"--{side} {audience!r} is no audience of this project ({known}){hint}")
        if audience == OWNER and not policy.owned:
            raise InvalidOption(f"--{side} owner needs a model with owners: {model} was not added with --owned")
    if policy.owned and policy.write == ANYONE:
        raise InvalidOption(f"{model} is owned: an anonymous caller cannot own a record, so --write anyone is refused")
    if rank(policy.write) < rank(policy.read):
        raise InvalidOption(
            f"--write {policy.write} is wider than --read {policy.read}: whoever may change {model} must be able to "
            "read it"
        )
    if rank(policy.write) == rank(policy.read) and policy.write != policy.read:
        raise InvalidOption(
            f"--read {policy.read} and --write {policy.write}: whoever may change {model} must be able to read it; "
            "choose the same audience for both, or a narrower one to write"
        )


CALLERS = ("anonymous", "member", "owner", "other_member", "role_holder", "superuser", "deactivated")


def callers(policy: Policy) -> list[str]:
    """The callers a model's matrix test tries: the owner only for owned models, a role holder only when the
    policy names a role."""
    return [c for c in CALLERS if (c != "owner" or policy.owned) and (c != "role_holder" or policy.roles)]


def expected(policy: Policy) -> dict[str, dict[str, int]]:
    """The status each caller gets for each operation on a record it did not create (the owner's, if owned)."""
    return {caller: {op: _status(policy, caller, op) for op in OPERATIONS} for caller in callers(policy)}


def _status(policy: Policy, caller: str, op: str) -> int:
    audience = policy.write if op in WRITES else policy.read
    if audience == ANYONE:
        return SUCCESS[op]  # no token is read: a deactivated user's is not looked at
    if caller in ("anonymous", "deactivated"):
        return 401
    if caller == "superuser":
        return SUCCESS[op]
    if audience == SUPERUSERS:
        return 403
    if audience == USERS:
        return SUCCESS[op]
    if audience == OWNER:
        if caller == "owner" or op in ("list", "create", "bulk"):  # a list is scoped; what one creates is one's own
            return SUCCESS[op]
        return 404 if policy.scoped else 403  # one's own records only: others' are unseen, or seen but not changed
    return SUCCESS[op] if caller == "role_holder" else 403  # a role


# What the generated routes use: the dependency of an audience (app.api.access), who reads a token.
_DEPENDENCY = {USERS: "caller", OWNER: "caller", SUPERUSERS: "superuser"}
_WORDS = {ANYONE: "anyone (no token)", USERS: "signed-in users", OWNER: "each record's owner (and superusers)",
          SUPERUSERS: "superusers"}  # fmt: skip


def side(op: str) -> str:
    return "write" if op in WRITES else "read"


def audience(policy: Policy, op: str) -> str:
    return policy.write if op in WRITES else policy.read


def dependency(audience: str) -> str | None:
    """The dependency that lets an audience in; None for anyone (nothing reads the token)."""
    if audience == ANYONE:
        return None
    return _DEPENDENCY.get(audience, f'role("{audience}")')


def words(audience: str) -> str:
    return _WORDS.get(audience, f"users with the role {audience} (and superusers)")


def needs_caller(policy: Policy, op: str) -> bool:
    """Whether the route uses who calls, beyond letting them in: to scope, to check or to set an owner."""
    if op in ("list", "read"):
        return policy.scoped
    if op in ("create", "bulk"):
        return policy.owned
    return policy.scoped or policy.owner_checked or (op == "update" and policy.owned)


def responses(policy: Policy, op: str) -> list[str]:
    """The access answers an operation documents: a 401 where a token is read, a 403 where a signed-in caller
    can be refused (an audience that leaves some out, someone else's record, a record given to another user)."""
    who = audience(policy, op)
    if who == ANYONE:
        return []
    forbidden = who not in (USERS, OWNER) or (op in ("update", "delete") and policy.owner_checked)
    forbidden |= policy.owned and op in ("create", "bulk", "update")  # only superusers give records away
    return ["UNAUTHORIZED", *(["FORBIDDEN"] if forbidden else [])]


@dataclass(frozen=True)
class RouteAccess:
    """How a model's router lets each operation's audience in, as its template writes it."""

    guard: dict[str, str]  # op: the decorator's `dependencies=[Depends(...)]`, where the route ignores the caller
    param: dict[str, list[str]]  # op: `caller: Reader` or `caller: Writer`, where the route uses the caller
    answers: dict[str, str]  # op: the access responses it documents (`UNAUTHORIZED | FORBIDDEN`)
    aliases: dict[str, str]  # Reader / Writer: the dependency each stands for
    imports: list[str]  # the names the router takes from app.api.access


def route_access(policy: Policy | None) -> RouteAccess:
    """Per operation, the dependency that lets its audience in: a parameter when the route uses the caller,
    else in the decorator; none for anyone. Without a policy (--auth none) the router's own dependency does."""
    access = RouteAccess(
        guard=dict.fromkeys(OPERATIONS, ""),
        param={op: [] for op in OPERATIONS},
        answers=dict.fromkeys(OPERATIONS, ""),
        aliases={},
        imports=[],
    )
    if policy is None:
        access.imports.extend(["UNAUTHORIZED", "caller"])
        return access
    used: set[str] = set()
    for op in OPERATIONS:
        dep = dependency(audience(policy, op))
        if dep and needs_caller(policy, op):
            alias = "Reader" if side(op) == "read" else "Writer"
            access.param[op].append(f"caller: {alias}")
            access.aliases[alias] = dep
            used.add("Caller")
        elif dep:
            access.guard[op] = f"dependencies=[Depends({dep})]"
        if dep:
            used.add(dep.split("(")[0])
        access.answers[op] = " | ".join(responses(policy, op))
        used.update(responses(policy, op))
    access.imports.extend(sorted(used))
    return access
