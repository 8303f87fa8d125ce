"""The portal's user: a person who signs in with their work email address."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Email addresses are matched case-insensitively: "Jo@North.example" signs in as jo@north.example.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=150, blank=True)
    job_title = models.CharField("job title", max_length=150, blank=True)
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Can sign in to the administration site."
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick instead of deleting, so the person's history stays readable.",
    )
    date_joined = models.DateTimeField("date joined", default=timezone.now)
    two_factor_waived = models.BooleanField(
        "two-factor authentication waived",
        default=False,
        help_text="Only for demonstration accounts: lets a chair or administrator work without a second factor.",
    )

    class EmailFrequency(models.TextChoices):
        IMMEDIATE = "immediate", "As each one happens"
        DAILY = "daily", "Once a day, in a summary"

    email_frequency = models.CharField(
        "email me about notifications",
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )
    # Password hashes and sign-in times are not domain data; keeping them would only add noise and risk.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = ["full_name"]

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class PasswordResetRequest(models.Model):
    """A request for a password-reset email that counted towards the limits (scr_portal.accounts.services
    .password_reset_request): kept for an hour, so that one address, or one computer, cannot have the portal
    send email after email. The address is kept only as a keyed digest; whether it has an account is not
    recorded (a request for an unknown address counts the same)."""

    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    address_digest = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "password-reset request"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Password reset asked for from {self.ip_address or 'an unknown address'}"
