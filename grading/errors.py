"""The one error of grading: a submission (or an exam set-up) that cannot be graded."""


class GradingError(Exception):
    """A submission (or an exam set-up) that cannot be graded; the message is Chinese, for the administrator."""
