"""Presidio recognizers for the Chinese PHI types; `all_recognizers()` builds one of each."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer


def all_recognizers() -> list[EntityRecognizer]:
    """Return fresh instances of every recognizer, in a stable order."""
    from medaudit.privacy.recognizers.contact import contact_recognizers
    from medaudit.privacy.recognizers.dates import date_recognizers
    from medaudit.privacy.recognizers.ids import id_recognizers
    from medaudit.privacy.recognizers.names import ZhPersonRecognizer
    from medaudit.privacy.recognizers.places import ZhAddressRecognizer, ZhOrganizationRecognizer

    return [*id_recognizers(), *contact_recognizers(), *date_recognizers(),
            ZhPersonRecognizer(), ZhAddressRecognizer(), ZhOrganizationRecognizer()]
