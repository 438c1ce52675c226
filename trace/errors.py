"""One error hierarchy for the whole application.

Every error the domain raises on purpose is a ``TraceError``; the web layer turns
it into an HTML or JSON answer with ``status``, the CLI into ``Error: ...`` and
exit code 1::

    raise NotFound(f"no product with GTIN {gtin}")
"""


class TraceError(Exception):
    """Base class: a problem the user can understand and fix."""

    status = 400

    def __init__(self, message: str, *, message_zh: str | None = None,
                 hint: str | None = None, field: str = ""):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
        self.hint = hint  # for the operator at the command line; never on a web page
        self.field = field  # the form field it is about, when one is (see InvalidInput)

    def to_json(self) -> dict:
        said: dict = {"error": type(self).__name__, "message": self.message,
                      "message_zh": self.message_zh}
        if self.field:  # as Problems and the API's schema errors name it, for clients
            said["details"] = [{"loc": [self.field], "msg": self.message,
                                "msg_zh": self.message_zh}]
        return said


class InvalidInput(TraceError):
    """A value given by the user is malformed or out of range; ``field``, when known,
    names which (``items[2].verdict``), so a form that checked it already can leave
    it out rather than say it twice."""


class InvalidCode(InvalidInput):
    """A URL or code cannot be parsed as a Trace item or batch code."""


class CutLink(InvalidCode):
    """An item's address cut short when copied (its k= or s= lost): what is left
    still names the serial, so the item can be looked up as a typed code is."""

    def __init__(self, message: str, *, serial: str, message_zh: str):
        super().__init__(message, message_zh=message_zh)
        self.serial = serial


class NotOurSite(InvalidCode):
    """A code URL on another site: look-alike verification sites are the main attack."""


class NotFound(TraceError):
    """The thing asked for does not exist."""

    status = 404


class Unauthorized(TraceError):
    """No valid sign-in or API token came with the request."""

    status = 401


class Forbidden(TraceError):
    """Signed in, but this account or organisation may not do this."""

    status = 403


class Conflict(TraceError):
    """The request clashes with what is already recorded."""

    status = 409


class KeyProblem(TraceError):
    """A signing key is missing, unreadable, or not allowed for this use."""

    status = 409


class KeyRoleError(KeyProblem):
    """A key was asked to sign something its role does not allow."""

    status = 403


class DatabaseUnavailable(TraceError):
    """The database is missing, unreadable or read-only."""

    status = 503


class TooManyAttempts(TraceError):
    """Too many attempts in a short time; try again later (``retry_after`` seconds,
    when the limit knows)."""

    status = 429
    retry_after: int | None = None


class LabelFontProblem(TraceError):
    """The label font is missing or cannot be embedded."""

    status = 500


class StorageUnavailable(TraceError):
    """The database cannot take writes now (disk full, read-only, I/O error)."""

    status = 503


class Problems(InvalidInput):
    """Several independent problems with one form, said together (``each``), so a
    person fixes them in one go rather than one a submit."""

    def __init__(self, each: list[TraceError]):
        super().__init__("; ".join(problem.message for problem in each),
                         message_zh="；".join(problem.message_zh for problem in each))
        self.each = each

    def to_json(self) -> dict:
        """As one InvalidInput (the code clients already handle), each problem in
        ``details`` with the field it is about when known."""
        return {**super().to_json(), "error": "InvalidInput", "details": [
            {"loc": [field] if (field := getattr(problem, "field", "")) else [],
             "msg": problem.message, "msg_zh": problem.message_zh} for problem in self.each]}


def all_problems(*checks) -> None:
    """Run every check (a callable raising ``TraceError``); raise them all together as
    ``Problems`` (or the one alone), in the order given."""
    found: list[TraceError] = []
    for check in checks:
        try:
            check()
        except Problems as several:
            found.extend(several.each)
        except TraceError as problem:
            found.append(problem)
    raise_together(found)


def each_problem(error: TraceError) -> list[TraceError]:
    """The problems ``error`` stands for: those of ``Problems``, or itself."""
    return error.each if isinstance(error, Problems) else [error]


def raise_together(found: list[TraceError]) -> None:
    """Raise ``found``: the one alone, several as ``Problems``, none not at all."""
    if len(found) == 1:
        raise found[0]
    if found:
        raise Problems(found)
