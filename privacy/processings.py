"""Les traitements de données personnelles, en mots simples (page « Données personnelles »).

Le registre complet est dans docs/registre-des-traitements.md : les deux doivent dire la même chose.
"""

PUBLIC_INTEREST = "Mission d'intérêt public de la Chambre de Métiers et de l'Artisanat (article 6.1.e du RGPD)."

PROCESSINGS = [
    {
        "name": "1. Votre compte et la connexion",
        "purpose": "Vous reconnaître quand vous vous connectez, avec un lien envoyé par e-mail.",
        "data": "Adresse e-mail, prénom, nom, téléphone (si vous le donnez), date d'inscription, date de la "
        "dernière connexion. Si vous utilisez FranceConnect : vos prénoms, nom de naissance et date de naissance.",
        "recipients": "L'équipe de la Chambre de Métiers et de l'Artisanat qui fait fonctionner le service.",
        "duration": "Jusqu'à 2 ans après votre dernière connexion (nous vous prévenons 30 jours avant). "
        "Les liens de connexion sont effacés le lendemain de leur expiration.",
        "basis": PUBLIC_INTEREST,
    },
    {
        "name": "2. Le profil des jeunes et les mises en relation",
        "purpose": "Vous proposer des offres d'apprentissage près de chez vous, et vous présenter aux "
        "employeurs dont l'offre vous correspond.",
        "data": "Date de naissance, commune, distance maximale, métiers, niveau de diplôme, permis et véhicule, "
        "place en CFA et nom du CFA, présentation, situation, réponses aux mises en relation.",
        "recipients": "Les employeurs dont l'offre vous correspond (sans vos coordonnées tant que vous n'avez "
        "pas dit oui) ; les conseillers et conseillères de la Chambre de Métiers de votre territoire.",
        "duration": "Jusqu'à 2 ans après votre dernière connexion, ou 2 ans après avoir trouvé un contrat. "
        "Une inscription jamais terminée est effacée après 30 jours.",
        "basis": PUBLIC_INTEREST,
    },
    {
        "name": "3. Les entreprises et leurs offres",
        "purpose": "Publier les offres des artisans et leur présenter des jeunes.",
        "data": "SIRET, nom et commune de l'entreprise ; nom, e-mail et téléphone de la personne qui recrute ; "
        "contenu des offres.",
        "recipients": "Les jeunes dont le profil correspond ; les conseillers et conseillères CMA. Les offres, "
        "sans nom ni coordonnées, sont aussi publiées en données ouvertes (API).",
        "duration": "Comme pour le compte : 2 ans après la dernière connexion. Une offre archivée ne garde "
        "aucune coordonnée.",
        "basis": PUBLIC_INTEREST,
    },
    {
        "name": "4. Les e-mails",
        "purpose": "Vous envoyer vos liens de connexion et vous prévenir d'une nouvelle mise en relation.",
        "data": "Adresse e-mail, objet et texte du message, date d'envoi.",
        "recipients": "Notre prestataire d'envoi d'e-mails, qui ne les utilise pas pour lui.",
        "duration": "Effacés avec votre compte.",
        "basis": PUBLIC_INTEREST,
    },
    {
        "name": "5. Les statistiques",
        "purpose": "Savoir si le service aide vraiment les jeunes et les artisans (chiffres publics).",
        "data": "Uniquement des chiffres sans nom : nombre d'inscrits, de mises en relation, de contrats.",
        "recipients": "Tout le monde (page Statistiques).",
        "duration": "Sans limite, car les chiffres sont anonymes.",
        "basis": "Mission d'intérêt public ; statistiques sur données anonymisées (article 89 du RGPD).",
    },
    {
        "name": "6. La sécurité du site",
        "purpose": "Protéger le service contre les attaques (par exemple, trop d'essais de connexion).",
        "data": "Adresse IP et adresse e-mail sous forme d'empreinte, compteurs d'essais, journaux techniques.",
        "recipients": "L'équipe technique et l'hébergeur.",
        "duration": "Compteurs : une heure au plus. Journaux techniques : un an au plus (recommandation de la "
        "CNIL sur la journalisation, 2021).",
        "basis": "Obligation de sécurité (article 32 du RGPD) et mission d'intérêt public.",
    },
]
