"""nbgrader configuration of the 执法学堂 exam course (written by grading.build; the course root is this folder)."""

import os

c = get_config()  # noqa: F821

_here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "academy"
c.CourseDirectory.root = _here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_here, "gradebook.db")
c.ClearSolutions.text_stub = "请在此作答："
