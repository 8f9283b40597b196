"""Worker des tâches de fond : exécute la file `django.tasks` (base de données) et lance les tâches
périodiques (`settings.PERIODIC_TASKS`)."""

import threading

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from core import scheduler


class SchedulingWorker(Worker):
    """Le worker de django-tasks-db, plus un fil qui bat le pouls et met en file les échéances."""

    tick_seconds = 10.0

    def run(self):
        stop = threading.Event()
        thread = threading.Thread(target=self._schedule, args=(stop,), daemon=True, name="scheduler")
        thread.start()
        try:
            super().run()
        finally:
            stop.set()

    def run_task(self, db_task_result):
        super().run_task(db_task_result)
        try:
            scheduler.requeue_if_database_was_gone(db_task_result)
        except Exception:  # la base ne répond toujours pas : la tâche reste en échec, c'est écrit au journal
            scheduler.logger.exception("Tâche %s : impossible de la remettre en file", db_task_result.task_path)

    def _schedule(self, stop):
        while not stop.is_set():
            try:
                close_old_connections()
                scheduler.beat(self.worker_id)
                scheduler.tick()
                scheduler.requeue_abandoned()
            except Exception:  # le worker continue : l'échéance sera reprise au prochain tour
                scheduler.logger.exception("Échec du planificateur")
            finally:
                close_old_connections()
            stop.wait(self.tick_seconds)


class Command(DBWorkerCommand):
    help = "Exécute les tâches de fond et les tâches périodiques."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        worker = SchedulingWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
