"""The officers' image: the server shows the course pages (read-only content in the image), not the home folder."""

c = get_config()  # noqa: F821
c.ServerApp.root_dir = "/srv/academy/courses"
