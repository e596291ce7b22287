"""The open data API: read-only, anonymous, from the reporting store."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import OrganisationKind, Sector
from casework.coding.themes import THEME_LABELS
from casework.models import DecisionOutcome
from insight import selectors
from insight.api.serializers import CaseCountSerializer, PublishedDecisionSerializer
from insight.forms import DecisionFilterForm
from insight.models import CaseFact

FILTER_PARAMETERS = [
    OpenApiParameter("organisation", OpenApiTypes.INT, description="Organisation id"),
    OpenApiParameter("sector", OpenApiTypes.STR, enum=Sector.values),
    OpenApiParameter("organisation_kind", OpenApiTypes.STR, enum=OrganisationKind.values),
    OpenApiParameter("constituency", OpenApiTypes.STR, description="ONS constituency code"),
    OpenApiParameter("local_authority", OpenApiTypes.STR, description="ONS local authority code"),
    OpenApiParameter("region", OpenApiTypes.STR),
    OpenApiParameter("outcome", OpenApiTypes.STR, enum=DecisionOutcome.values),
    OpenApiParameter(
        "theme",
        OpenApiTypes.STR,
        enum=list(THEME_LABELS),
        description="Complaint theme, as confirmed by a caseworker",
    ),
]
DATE_PARAMETERS = [
    OpenApiParameter("published_from", OpenApiTypes.DATE),
    OpenApiParameter("published_to", OpenApiTypes.DATE),
]


def _filters(request) -> dict:
    """Valid filters only: an unknown value is ignored as on the web page, never an error 500."""
    form = DecisionFilterForm(request.query_params, options=selectors.decision_filter_options())
    return form.filters()


class PublishedDecisionList(generics.ListAPIView):
    serializer_class = PublishedDecisionSerializer

    @extend_schema(parameters=FILTER_PARAMETERS + DATE_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.published_decisions(_filters(self.request)).prefetch_related(
            selectors.THEMES_PREFETCH
        )


class PublishedDecisionDetail(generics.RetrieveAPIView):
    serializer_class = PublishedDecisionSerializer
    queryset = CaseFact.objects.published().prefetch_related(selectors.THEMES_PREFETCH)
    lookup_field = "reference"


class CaseCounts(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                location=OpenApiParameter.PATH,
                enum=list(selectors.DIMENSIONS),
            ),
            *FILTER_PARAMETERS,
        ],
        responses=CaseCountSerializer(many=True),
    )
    def get(self, request, by):
        if by not in selectors.DIMENSIONS:
            raise Http404("No such breakdown")
        rows = selectors.case_counts(by=by, filters=_filters(request))
        return Response(CaseCountSerializer(rows, many=True).data)
