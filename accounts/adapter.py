from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open to the public; every account made here starts as a complainant."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from accounts.roles import Role
            from accounts.services import user_grant_role

            user_grant_role(user=user, role=Role.COMPLAINANT)
        return user

    def get_login_redirect_url(self, request):
        user = request.user
        if user.is_authenticated and user.is_ombudsman_staff:
            return "/staff/"
        return super().get_login_redirect_url(request)

    def format_email_subject(self, subject):
        return f"{settings.SITE_NAME}: {subject}"
