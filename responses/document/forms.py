from __future__ import annotations

from crispy_forms_gds.layout import Button, Layout
from django import forms

from scr_portal.forms import PortalForm


class VersionTextForm(PortalForm):
    submit_label = "Save the draft"
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        widget=forms.Textarea,
        help_text="The board's opening words: what the review was about and how the board went about its response.",
    )
    monitoring = forms.CharField(
        label="Monitoring arrangements",
        required=False,
        widget=forms.Textarea,
        help_text="How the board will follow the actions through, who reports to whom and how often, and how it will know their impact.",
    )
    closing = forms.CharField(
        label="Anything else the response should say", required=False, widget=forms.Textarea
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
    layout_fields = ["introduction", "monitoring", "closing", "revision"]

    def __init__(self, *args, words=None, **kwargs):
        """`words`: the review's regime words (`review.words`), for the hints (an LSCB's by default)."""
        super().__init__(*args, **kwargs)
        if words is not None:
            body = words.body
            self.fields[
                "introduction"
            ].help_text = f"The {body}'s opening words: what the review was about and how the {body} went about its response."
            self.fields["monitoring"].help_text = (
                f"How the {body} will follow the actions through, who reports to whom and how often, and how it "
                "will know their impact."
            )


class SignForm(PortalForm):
    """The signer (the chair, or a statutory partner for their organisation) confirms they sign exactly the text shown (its digest travels with the form), with the code
    from their authenticator app wherever two-factor authentication applies to them."""

    submit_label = "Sign off this version"
    confirm = forms.BooleanField(
        label="I have read this version and sign it off as the board's response",
        error_messages={"required": "Confirm that you have read this version and sign it off"},
    )
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    token = forms.CharField(
        label="Code from your authenticator app",
        help_text="To confirm it is you: the 6-digit code the app shows now.",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-10",
            }
        ),
    )

    def __init__(self, *args, device=None, words=None, signing_for=None, **kwargs):
        """`words`: the review's regime words; `signing_for`: the organisation a statutory partner signs for
        (under a partnership), None for the chair."""
        self.device = device
        if signing_for is not None:
            self.submit_label = f"Sign for {signing_for}"
        super().__init__(*args, **kwargs)
        if signing_for is not None:
            self.fields[
                "confirm"
            ].label = f"I have read this version and sign it as the {words.response} for {signing_for}"
            self.fields["confirm"].error_messages["required"] = (
                "Confirm that you have read this version and sign it"
            )
        elif words is not None:
            self.fields["confirm"].label = f"I have read this version and sign it off as the {words.response}"
        if device is None:
            del self.fields["token"]
            self.helper.layout = Layout(
                *(self._component(n) for n in self.fields), Button("submit", self.submit_label)
            )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows, with no letters")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes in a row. Wait a few seconds, then enter the code the app shows"
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                "That code did not match. Codes change every 30 seconds: enter the one the app shows now"
            )
        return token


class MakeDraftForm(PortalForm):
    submit_label = "Make a new draft"


class VerifyForm(PortalForm):
    submit_label = "Check"
    copy = forms.FileField(
        label="A copy of the response",
        required=False,
        help_text="The text file downloaded from this page, as it was downloaded (up to 5 MB).",
    )
    digest = forms.CharField(
        label="Or a fingerprint",
        required=False,
        max_length=80,
        help_text="64 letters and digits, as shown with a signature (the SHA-256 of the signed text).",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-full", "spellcheck": "false"}),
    )
    MAX_BYTES = 5 * 1024 * 1024

    def clean_copy(self):
        upload = self.cleaned_data.get("copy")
        if upload and upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5 MB")
        if upload and upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return upload

    def clean_digest(self) -> str:
        value = "".join(self.cleaned_data.get("digest", "").split()).lower()
        if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
            raise forms.ValidationError("Enter the fingerprint as 64 letters (a to f) and digits")
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("copy") and not data.get("digest"):
            raise forms.ValidationError("Choose a copy of the response to check, or enter a fingerprint")
        return data
