"""Errors a person can act on. Every error of ours derives from VeilederError, so a front end can
tell "say this to the person" from a bug."""


class VeilederError(Exception):
    """A problem with input, configuration or data; the message says what to do."""


class KnowledgeError(VeilederError):
    """Base for problems with the knowledge base."""


class UnreadableDocument(KnowledgeError):
    """A file could not be read as a document; it is skipped and reported, the rest still index."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class CatalogError(KnowledgeError):
    """The catalog file is malformed."""
