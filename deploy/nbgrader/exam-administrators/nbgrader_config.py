"""nbgrader for the 考试管理员 group (loaded before deploy/nbgrader/site): the exam course (ACADEMY_EXAM_COURSE, which
the spawner gives their servers only), shared by the group as nbgrader's ``groupshared`` describes — files stay
writable by the other administrators, and the exchange's course folders are the group's (``academy hub start``)."""

from ground.settings import settings

c = get_config()  # noqa: F821

c.CourseDirectory.root = str(settings.exam_course)
c.CourseDirectory.groupshared = True
