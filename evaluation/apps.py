from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation and award")

    def ready(self) -> None:
        from bidding.hooks import register_lot_actions
        from evaluation.links import register
        from evaluation.lot_actions import evaluation_lot_actions

        register()
        register_lot_actions(evaluation_lot_actions)
