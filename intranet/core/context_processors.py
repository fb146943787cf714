"""Values every page needs: the organisation's branding."""

from intranet.core.branding import current_branding


def site(request):
    return {"branding": current_branding()}
