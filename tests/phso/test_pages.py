import pytest
from django.urls import reverse

PUBLIC_PAGES = [
    "home",
    "accessibility",
    "privacy",
    "cookies",
    "contact",
    "complaints:start",
    "foi:start",
    "insight:index",
]


@pytest.mark.django_db
class TestPublicPages:
    @pytest.mark.parametrize("name", PUBLIC_PAGES)
    def test_renders_with_service_layout(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'class="govuk-skip-link"' in body
        assert "Accessibility statement" in body
        assert "govuk-phase-banner" in body

    def test_unknown_page_is_styled_404(self, client):
        response = client.get("/no-such-page")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()
