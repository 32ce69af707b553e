// Fictional names for the demo call center. A few carry accents and apostrophes on
// purpose, so clients meet non-ASCII text and JSON escaping early.
#pragma once

#include <array>

namespace earshot::refserver::demo {

inline constexpr std::array<const char *, 12> agentNames = {
    "Priya Natarajan", "Daniel Okafor",  "Marcus Bell",   "Sofia Álvarez",
    "Hannah Lindqvist", "Jamal Washington", "Emily Chen",  "Luca Romano",
    "Aisha Rahman",    "Connor Walsh",   "Mei Tanaka",    "Gabriel Santos",
};

inline constexpr std::array<const char *, 6> dialListNames = {
    "Spring Renewals 2026",  "Win-Back Q1 2026",      "New Movers – March",
    "Past Due Reminders",    "Home Warranty Upsell",  "Customer Satisfaction Survey",
};

inline constexpr std::array<const char *, 48> firstNames = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "José", "Ashley", "Kwame", "Zoë", "Steven", "Kimberly", "Andrew",
    "Emily", "Joshua", "Donna", "Renée", "Michelle", "Kenji", "Carol", "Björn", "Amanda", "Omar",
    "Siobhán",
};

inline constexpr std::array<const char *, 48> lastNames = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "O'Brien", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Müller",
    "Carter", "Mitchell",
};

// Real US area codes; the 555-01xx exchange block is reserved for fiction.
inline constexpr std::array<int, 24> areaCodes = {
    212, 213, 305, 312, 404, 415, 503, 512, 602, 617, 646, 702,
    713, 718, 720, 773, 801, 813, 818, 857, 904, 917, 919, 971,
};

} // namespace earshot::refserver::demo
