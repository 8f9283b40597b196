"""Pages des paires, rangées par côté : celles du ou de la candidat·e (ses paires, ses réponses, ses
signalements), celles de l'employeur (ses offres et leurs paires, ses réponses) et « Et maintenant ? », commune
aux deux côtés d'une paire en relation."""
