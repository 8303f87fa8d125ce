"""Forms for signing in and for managing users in the admin."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib.auth import forms as auth_forms
from django.urls import reverse

from scr_portal.forms import refuse_impossible_ids

from .models import User

EMAIL_TAKEN = "Someone already has an account with this email address. Each person needs their own address."


class _UniqueEmail:
    """The address as sign-in matches it (any capitals), refused with a plain message when another account
    has it: otherwise the admin shows the database constraint's own name."""

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email


class AdminUserCreationForm(_UniqueEmail, auth_forms.UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class _PasswordHashWidget(auth_forms.ReadOnlyPasswordHashWidget):
    """Django's widget links to "../password/", which is right from the change page only: read on an old
    version's page it led to /history/password/. This one links to the password page itself."""

    password_url = ""  # nosec B105: the address of the page that sets a password, not a password

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.password_url:
            context["password_url"] = self.password_url
        return context


class AdminUserChangeForm(_UniqueEmail, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # groups and permissions
            if isinstance(field, forms.ModelMultipleChoiceField):
                refuse_impossible_ids(field)
        password = self.fields.get("password")
        if password is not None and self.instance.pk:
            widget = _PasswordHashWidget(attrs=password.widget.attrs)
            widget.password_url = reverse("admin:auth_user_password_change", args=[self.instance.pk])
            password.widget = widget


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, labelled for people who sign in with their email address."""

    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password. The password is case-sensitive.",
        "inactive": "This account is not active. Ask your board's business manager to restore it.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("username", field_width="two-thirds", spellcheck="false"),
            Field.text("password", field_width="two-thirds"),
            Button("submit", "Sign in"),
        )


class TokenForm(forms.Form):
    """The six-digit code from an authenticator app."""

    token = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now, for example 123456.",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.text("token", field_width=10), Button("submit", "Continue"))

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows, with no letters.")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes in a row. Wait a few seconds, then enter the code the app shows."
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                "That code did not match. Codes change every 30 seconds: enter the one the app shows now."
            )
        return token


class EmailPreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_frequency"]
        widgets = {"email_frequency": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_frequency"].label = "Email me about notifications"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.radios("email_frequency", legend_size="s"), Button("submit", "Save preference")
        )
