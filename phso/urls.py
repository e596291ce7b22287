from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from accounts.views import admin_login_redirect
from phso import views

# The admin requires a verified second factor (django-otp) and signs in through the one login page,
# so brute-force limits and MFA apply to it as to everything else.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = admin.site.site_title = "Ombudsman service administration"
admin.site.login = admin_login_redirect

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility", views.content_page("pages/accessibility.html"), name="accessibility"),
    path("privacy", views.content_page("pages/privacy.html"), name="privacy"),
    path("cookies", views.content_page("pages/cookies.html"), name="cookies"),
    path("contact", views.content_page("pages/contact.html"), name="contact"),
    path("account/", include("allauth.urls")),
    path("your-account/", include("accounts.urls")),
    path("complaints/", include("complaints.urls")),
    path("complain/", include("complaints.form_urls")),
    path("mp/", include("portals.urls_mp")),
    path("organisation/", include("portals.urls_org")),
    path("check-if-we-can-help/", include("complaints.checker_urls")),
    path("information-requests/", include("foi.urls")),
    path("data/", include("insight.urls")),
    path("api/", include("insight.api.urls")),
    path("", include("insight.search_urls")),
    path("staff/information-requests/", include("foi.staff_urls")),
    path("staff/portals/", include("portals.urls_staff")),
    path("staff/insight/", include("insight.staff_urls")),
    path("staff/", include("casework.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "phso.views.bad_request"
handler403 = "phso.views.permission_denied"
handler404 = "phso.views.page_not_found"
handler500 = "phso.views.server_error"
