"""What a sign-in backend tells the sign-in page about one request.

The sign-in form and the failure log say "the directory could not be reached" apart from
"wrong password". The flag is an accounts notion: accounts names it and reads it, and any
backend that depends on a remote directory (intranet.directory.backend) sets it, so
accounts never imports the apps above it.
"""

UNAVAILABLE_FLAG = "directory_unavailable"


def directory_unavailable_mark(request) -> None:
    """Note on request that the directory could not be reached during this sign-in."""
    if request is not None:
        setattr(request, UNAVAILABLE_FLAG, True)


def directory_was_unavailable(request) -> bool:
    """Whether the last sign-in attempt on this request could not reach the directory."""
    return bool(getattr(request, UNAVAILABLE_FLAG, False))
