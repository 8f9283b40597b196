"""Carte de France en tuiles : une case par département, placée comme sur une carte (à la manière des cartes
« en grille » des journaux). Aucune donnée de contours : seulement la colonne et la ligne de chaque case.

Les cases de la métropole ont été placées une fois pour toutes d'après le centre géographique de chaque
département (fichier des départements de l'Insee, COG), au plus près sur une grille de 12 × 11 ; la Corse à
l'est de la Provence ; les cinq départements d'outre-mer sur une ligne à part, en bas à gauche.
"""

# Code INSEE du département -> (colonne, ligne).
TILES = {
    "01": (9, 5), "02": (7, 1), "03": (6, 5), "04": (9, 8), "05": (10, 6), "06": (10, 7), "07": (8, 7),
    "08": (8, 0), "09": (5, 9), "10": (8, 2), "11": (6, 9), "12": (6, 8), "13": (8, 9), "14": (2, 0),
    "15": (6, 6), "16": (3, 6), "17": (2, 5), "18": (6, 4), "19": (5, 6), "21": (8, 4), "22": (0, 2),
    "23": (5, 5), "24": (4, 6), "25": (10, 4), "26": (9, 7), "27": (3, 1), "28": (4, 3), "29": (0, 3),
    "2A": (11, 10), "2B": (11, 9),
    "30": (7, 8), "31": (4, 9), "32": (4, 8), "33": (2, 6), "34": (7, 9), "35": (1, 2), "36": (5, 4),
    "37": (3, 3), "38": (9, 6), "39": (9, 4), "40": (2, 7), "41": (4, 4), "42": (7, 5), "43": (7, 7),
    "44": (1, 4), "45": (6, 3), "46": (5, 7), "47": (3, 7), "48": (6, 7), "49": (2, 4), "50": (2, 1),
    "51": (8, 1), "52": (8, 3), "53": (2, 2), "54": (9, 2), "55": (9, 1), "56": (1, 3), "57": (10, 1),
    "58": (7, 4), "59": (7, 0), "60": (6, 0), "61": (3, 2), "62": (5, 0), "63": (7, 6), "64": (3, 8),
    "65": (3, 9), "66": (6, 10), "67": (11, 2), "68": (11, 3), "69": (8, 6), "70": (9, 3), "71": (8, 5),
    "72": (2, 3), "73": (11, 6), "74": (10, 5), "75": (5, 1), "76": (3, 0), "77": (7, 2), "78": (4, 2),
    "79": (3, 5), "80": (4, 0), "81": (5, 8), "82": (4, 7), "83": (9, 9), "84": (8, 8), "85": (1, 5),
    "86": (3, 4), "87": (4, 5), "88": (10, 2), "89": (7, 3), "90": (10, 3), "91": (5, 3), "92": (5, 2),
    "93": (6, 1), "94": (6, 2), "95": (4, 1),
    "971": (0, 12), "972": (1, 12), "973": (2, 12), "974": (3, 12), "976": (4, 12),
}  # fmt: skip
OVERSEAS_ROW = 12
CELL = 44  # côté d'une case, en unités SVG
GAP = 3
COLUMNS = 1 + max(column for column, _ in TILES.values())
ROWS = 1 + max(row for _, row in TILES.values())
WIDTH = COLUMNS * CELL
HEIGHT = ROWS * CELL + 24  # place pour le titre de la ligne d'outre-mer
