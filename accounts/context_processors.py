from django.conf import settings


def acting(request):
    actor = getattr(request, "actor", None)
    memberships = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from accounts.selectors import memberships_for

        memberships = list(memberships_for(user))
    return {"actor": actor, "my_memberships": memberships, "PLATFORM_NAME": settings.PLATFORM_NAME}
