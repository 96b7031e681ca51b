"""makemessages that also extracts strings marked with ``_lazy(...)``.

Several modules import ``gettext_lazy as _lazy``; Django's makemessages only
passes xgettext its default keywords (gettext, gettext_lazy, _, ...), so those
strings were never extracted or translated. See "Customizing the makemessages
command" in the Django i18n docs.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = makemessages.Command.xgettext_options + ["--keyword=_lazy"]
