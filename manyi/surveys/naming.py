"""Form field names of answers, shared by the answer form and the question templates."""

PREFIX = "q"


def field_name(question, row=None, suffix="", prefix=PREFIX):
    """ "q-12", "q-12-34" (matrix row 34), "q-12-other", "q-12-importance" …"""
    parts = [prefix or PREFIX, str(question.pk)]
    if row is not None:
        parts.append(str(row.pk))
    if suffix:
        parts.append(suffix)
    return "-".join(parts)
