"""nbgrader in every server of the site (JUPYTER_CONFIG_PATH, set by deploy/jupyterhub_config.py and the k8s values):
the exchange shared by all (ACADEMY_EXCHANGE, made by ``academy hub start``) and the exam course's id. Fetched exams go
to the officer's home folder (the server's own folder, courses/, is read-only). nbgrader names a submission after the
unix account that makes it (``service.spawner.unix_name``), so ``collect`` can check it against the files' owner."""

import os

from ground.settings import settings

c = get_config()  # noqa: F821

c.Exchange.root = str(settings.exchange)
c.CourseDirectory.course_id = "academy"  # grading.build.COURSE_ID (tests/deploy check)
c.Exchange.assignment_dir = os.path.expanduser("~")
