from django.db import models


class WorkerHeartbeat(models.Model):
    """Dernier signe de vie de chaque worker, lu par /healthz."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker_id} ({self.seen_at:%Y-%m-%d %H:%M:%S})"


class ScheduledRun(models.Model):
    """Dernier lancement de chaque tâche périodique (un seul worker la lance à chaque échéance)."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self):
        return self.name
