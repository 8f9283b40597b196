"""Vues du back-office, une par page ou action, rangées par sujet : chacune passe par
`scope.advisor_required` (ou `scope.admin_required`) et ne lit qu'à travers `scope` et `selectors`."""
