"""allauth's own forms, worded the GOV.UK way (labels, hints, error messages), behaviour unchanged.

Only words change here: validation, rate limits and enumeration protection stay allauth's. Wired in
through ACCOUNT_FORMS and MFA_FORMS in settings.
"""

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as mfa_totp_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

# The database column for an email address (accounts.User.email, allauth's EmailAddress) holds
# 254 characters; without this a longer address that looks valid fails at the database instead.
EMAIL_MAX_LENGTH = 254

EMAIL = {
    "label": "Email address",
    "max_length": EMAIL_MAX_LENGTH,
    "errors": {
        "required": "Enter your email address",
        "invalid": "Enter an email address in the correct format, like name@example.com",
        "max_length": f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer",
    },
}
# allauth's own errors (raised by its adapters, so not per field), reworded by their error code.
ERROR_WORDING = {
    "email_password_mismatch": "Enter the correct email address and password",
    "too_many_login_attempts": (
        "You have tried to sign in too many times. Wait a few minutes, then try again"
    ),
    "enter_current_password": "Your current password is not right. Enter it again",
    "incorrect_password": "Your password is not right. Enter it again",
    "incorrect_code": "The security code is not right. Enter the newest code from your app",
}
SECURITY_CODE = {
    "label": "Security code",
    "errors": {"required": "Enter the security code"},
}


def password_rules_hint() -> str:
    """The password rules in plain English, from the validators actually configured."""
    min_length = next(
        (
            v.min_length
            for v in password_validation.get_default_password_validators()
            if isinstance(v, password_validation.MinimumLengthValidator)
        ),
        None,
    )
    length = f"Your password must be at least {min_length} characters long. " if min_length else ""
    return (
        f"{length}It cannot be only numbers, a commonly used password, "
        "or too similar to your email address."
    )


class GovUKWordingMixin:
    """Applies `wording` (field name → label, hint and error messages) to a form's fields, and
    rewords allauth's own errors by their code."""

    wording: dict[str, dict] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, words in self.wording.items():
            field = self.fields.get(name)
            if field is None:
                continue
            field.label = words["label"]
            # allauth's hints are HTML (a reset link, a list of rules); ours are plain sentences.
            field.help_text = (
                words["hint"]() if callable(words.get("hint")) else words.get("hint", "")
            )
            field.error_messages.update(words.get("errors", {}))
            # GOV.UK: placeholders are not labels and disappear as people type.
            field.widget.attrs.pop("placeholder", None)
            if "max_length" in words:
                field.validators.append(MaxLengthValidator(words["max_length"]))

    def full_clean(self):
        super().full_clean()
        for errors in (self._errors or {}).values():
            errors.data = [_reworded(error) for error in errors.data]


def _reworded(error):
    code = getattr(error, "code", None)
    if code in ERROR_WORDING:
        return ValidationError(ERROR_WORDING[code], code=code)
    return error


def _new_password(label, confirm_label):
    return {
        "password1": {
            "label": label,
            "hint": password_rules_hint,
            "errors": {"required": "Enter a password"},
        },
        "password2": {
            "label": confirm_label,
            "errors": {"required": "Enter the password again to confirm it"},
        },
    }


class LoginForm(GovUKWordingMixin, account_forms.LoginForm):
    wording = {
        "login": EMAIL,
        "password": {"label": "Password", "errors": {"required": "Enter your password"}},
    }


class SignupForm(GovUKWordingMixin, account_forms.SignupForm):
    wording = {"email": EMAIL, **_new_password("Create a password", "Confirm your password")}


class AddEmailForm(GovUKWordingMixin, account_forms.AddEmailForm):
    wording = {"email": EMAIL}


class ChangePasswordForm(GovUKWordingMixin, account_forms.ChangePasswordForm):
    wording = {
        "oldpassword": {
            "label": "Current password",
            "errors": {"required": "Enter your current password"},
        },
        **_new_password("New password", "Confirm new password"),
    }


class SetPasswordForm(GovUKWordingMixin, account_forms.SetPasswordForm):
    wording = _new_password("Create a password", "Confirm your password")


class ResetPasswordForm(GovUKWordingMixin, account_forms.ResetPasswordForm):
    wording = {"email": EMAIL}


class ResetPasswordKeyForm(GovUKWordingMixin, account_forms.ResetPasswordKeyForm):
    wording = _new_password("New password", "Confirm new password")


class ReauthenticateForm(GovUKWordingMixin, account_forms.ReauthenticateForm):
    wording = {"password": {"label": "Password", "errors": {"required": "Enter your password"}}}


class MFAAuthenticateForm(GovUKWordingMixin, mfa_base_forms.AuthenticateForm):
    wording = {
        "code": {
            **SECURITY_CODE,
            "hint": "The 6-digit code from your authenticator app, or one of your recovery codes.",
        }
    }


class MFAReauthenticateForm(GovUKWordingMixin, mfa_base_forms.ReauthenticateForm):
    wording = MFAAuthenticateForm.wording


class ActivateTOTPForm(GovUKWordingMixin, mfa_totp_forms.ActivateTOTPForm):
    wording = {
        "code": {
            **SECURITY_CODE,
            "hint": "The 6-digit code your authenticator app shows for this service.",
        }
    }
