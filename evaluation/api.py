"""Evaluation over the API: what the workspace page calls as the member types (drafts saved cell by cell),
submits, votes, asks; what the leader records; what watchers poll. Rules live in evaluation.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import ACTING_PARAMETER, PlatformAPIView, error_responses, parsed
from evaluation import selectors
from evaluation.services import committees, summary, work

ERRORS = error_responses(400, 401, 403, 404, 409)


class VoteSerializer(serializers.Serializer):
    candidate = serializers.IntegerField()


class MarkSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    requirement = serializers.IntegerField()
    passed = serializers.BooleanField()
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ScoreSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    criterion = serializers.IntegerField()
    points = serializers.CharField(max_length=20, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["review", "scoring"])


class QuestionSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    text = serializers.CharField(max_length=4000)
    answer_by = serializers.DateTimeField()


class QuestionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=8000, allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=8000, allow_blank=True)


class CorrectionSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=30)
    points = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=4000, allow_blank=True)


def _doc(operation: str, summary_text, request=None):
    return extend_schema(operation_id=operation, tags=["evaluation"], parameters=[ACTING_PARAMETER], request=request,
                         responses={200: OpenApiTypes.OBJECT, **ERRORS}, summary=summary_text)


class ProgressView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_progress", _lazy("Progress of a lot's evaluation (who has submitted each step)"))
    def get(self, request, lot_id: int):
        return Response(selectors.progress_for(actor=self.actor, lot_id=lot_id))


class VoteView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_vote", _lazy("Member: vote for the committee's leader"), VoteSerializer)
    def post(self, request, lot_id: int):
        data = parsed(VoteSerializer, request.data)
        committees.leader_vote(actor=self.actor, lot_id=lot_id, candidate_id=data["candidate"])
        return Response(selectors.progress_for(actor=self.actor, lot_id=lot_id))


class MarkView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_review_mark", _lazy("Member: save one pass/fail of the review (draft)"), MarkSerializer)
    def post(self, request, lot_id: int):
        data = parsed(MarkSerializer, request.data)
        mark = work.review_mark(actor=self.actor, lot_id=lot_id, bid_id=data["bid"], requirement_id=data["requirement"],
                                passed=data["passed"], reason=data["reason"])
        return Response({"saved": mark.updated_at.isoformat()})


class ScoreView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_score", _lazy("Member: save one score (draft), checked against its criterion's range"),
          ScoreSerializer)
    def post(self, request, lot_id: int):
        data = parsed(ScoreSerializer, request.data)
        score = work.score_save(actor=self.actor, lot_id=lot_id, bid_id=data["bid"], criterion_id=data["criterion"],
                                points=data["points"], note=data["note"])
        return Response({"saved": score.updated_at.isoformat(), "points": f"{score.points:.2f}"})


class SubmitView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_submit", _lazy("Member: submit the review or the scoring sheet (then locked)"), StepSerializer)
    def post(self, request, lot_id: int):
        data = parsed(StepSerializer, request.data)
        sheet = work.sheet_submit(actor=self.actor, lot_id=lot_id, step=data["step"])
        return Response({"submitted_at": sheet.submitted_at.isoformat(), "sha256": sheet.sha256})


class QuestionView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_question", _lazy("Member: ask a bidder a clarification question"), QuestionSerializer)
    def post(self, request, lot_id: int):
        data = parsed(QuestionSerializer, request.data)
        question = work.question_ask(actor=self.actor, lot_id=lot_id, bid_id=data["bid"], text=data["text"],
                                     answer_by=data["answer_by"])
        return Response({"id": question.pk})


class QuestionAnswerView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_question_answer", _lazy("Bidder: answer a clarification question"), QuestionAnswerSerializer)
    def post(self, request, pk: int):
        data = parsed(QuestionAnswerSerializer, request.data)
        question = work.question_answer(actor=self.actor, question_id=pk, answer=data["answer"])
        return Response({"answered_at": question.answered_at.isoformat()})


class FlagDecisionView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_flag_decide", _lazy("Leader: record the committee's decision on a finding"), DecisionSerializer)
    def post(self, request, lot_id: int, pk: int):
        data = parsed(DecisionSerializer, request.data)
        flag = summary.flag_decide(actor=self.actor, lot_id=lot_id, flag_id=pk, decision=data["decision"])
        return Response({"decided_at": flag.decided_at.isoformat()})


class CorrectionView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @_doc("evaluation_correct", _lazy("Leader: correct a score for a reason the rules allow"), CorrectionSerializer)
    def post(self, request, lot_id: int, pk: int):
        data = parsed(CorrectionSerializer, request.data)
        correction = summary.score_correct(actor=self.actor, lot_id=lot_id, score_id=pk, kind=data["kind"],
                                           points=data["points"], reason=data["reason"])
        return Response({"id": correction.pk, "after": f"{correction.after:.2f}"})
