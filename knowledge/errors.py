"""Errors a person can act on. Every error of ours derives from VeilederError, so a front end can
tell "say this to the person" from a bug."""


import errno


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


class StorageError(VeilederError):
    """A folder Veileder writes to can't take the write: read-only, full, or not ours to write."""

    @classmethod
    def from_os_error(cls, exc: OSError, what: str, folder: object, setting: str) -> "StorageError":
        """One line a person can act on: what could not be written where, why, and what to change.

        `what` names the thing ("the index"), `folder` where it goes, `setting` the variable that moves it.
        """
        where = exc.filename or folder
        if exc.errno == errno.EROFS:
            reason = f"{where} is on a read-only file system; set {setting} to a writable folder"
        elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
            reason = f"no space left on the disk holding {where}; free some space there or set {setting} to another disk, then try again"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            reason = f"no permission to write {where}; give this user write access or set {setting} to a folder it may write"
        else:
            reason = f"{where}: {exc.strerror or exc}; check the folder, or set {setting} to another one"
        return cls(f"can't write {what}: {reason}")
