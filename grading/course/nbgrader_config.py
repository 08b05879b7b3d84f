"""nbgrader configuration of the 执法学堂 exam course: the only one (grading.build.CONFIG_FILE).

grading.build copies it into every course it builds elsewhere and reads it back (course_config); every path is
relative to the folder this file is in, so each copy configures its own course.
"""

import os

c = get_config()  # noqa: F821

_here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "academy"
c.CourseDirectory.root = _here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_here, "gradebook.db")
c.ClearSolutions.text_stub = "请在此作答："
