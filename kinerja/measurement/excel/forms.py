from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinerja.measurement.excel.reader import MAX_UPLOAD_BYTES, check_file


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("At most 5 MB. Sheets this import does not know, and the Petunjuk sheet, are ignored."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        # The size is known before a byte is read: a large file is refused without being parsed.
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Split it, or remove what is not imported."),
                params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        data = upload.read()
        if problem := check_file(data):
            raise forms.ValidationError(problem)
        self.filename = upload.name or ""
        return data


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=32, widget=forms.HiddenInput)
    confirm_warnings = forms.BooleanField(
        required=False, label=_("I have read the warnings and want to import the workbook as it is.")
    )
