// Places, languages, facilities and specialties. Self-made lists. City, state, ZIP prefix and
// area code are public facts (USPS three-digit ZIP prefixes, NANP area codes); the five-digit
// ZIPs built from them are consistent with the state but not checked against the USPS list.
// Street names are generic; the facilities, their streets and the health system are invented.

#include "synth/tables.hpp"

namespace chartroom::synth {
namespace {

// The health system sits in Massachusetts, Illinois and Texas, so most patients live there.
constexpr City kCities[] = {
    {"Boston", "MA", "021", "617", -5, true, 900},
    {"Cambridge", "MA", "021", "617", -5, true, 350},
    {"Worcester", "MA", "016", "508", -5, true, 500},
    {"Springfield", "MA", "011", "413", -5, true, 250},
    {"Lowell", "MA", "018", "978", -5, true, 300},
    {"Quincy", "MA", "021", "617", -5, true, 250},
    {"Framingham", "MA", "017", "508", -5, true, 200},
    {"Providence", "RI", "029", "401", -5, true, 60},
    {"Hartford", "CT", "061", "860", -5, true, 50},
    {"Chicago", "IL", "606", "312", -6, true, 1100},
    {"Evanston", "IL", "602", "847", -6, true, 200},
    {"Naperville", "IL", "605", "630", -6, true, 400},
    {"Aurora", "IL", "605", "630", -6, true, 250},
    {"Joliet", "IL", "604", "815", -6, true, 250},
    {"Peoria", "IL", "616", "309", -6, true, 100},
    {"Springfield", "IL", "627", "217", -6, true, 100},
    {"Houston", "TX", "770", "713", -6, true, 1200},
    {"Pasadena", "TX", "775", "281", -6, true, 200},
    {"Sugar Land", "TX", "774", "281", -6, true, 200},
    {"Dallas", "TX", "752", "214", -6, true, 80},
    {"Austin", "TX", "787", "512", -6, true, 80},
    {"San Antonio", "TX", "782", "210", -6, true, 80},
    {"El Paso", "TX", "799", "915", -7, true, 40},
    {"New York", "NY", "100", "212", -5, true, 80},
    {"Brooklyn", "NY", "112", "718", -5, true, 60},
    {"Buffalo", "NY", "142", "716", -5, true, 20},
    {"Philadelphia", "PA", "191", "215", -5, true, 50},
    {"Pittsburgh", "PA", "152", "412", -5, true, 20},
    {"Miami", "FL", "331", "305", -5, true, 50},
    {"Orlando", "FL", "328", "407", -5, true, 30},
    {"Atlanta", "GA", "303", "404", -5, true, 40},
    {"Los Angeles", "CA", "900", "213", -8, true, 60},
    {"San Francisco", "CA", "941", "415", -8, true, 30},
    {"San Diego", "CA", "921", "619", -8, true, 30},
    {"Seattle", "WA", "981", "206", -8, true, 30},
    {"Portland", "OR", "972", "503", -8, true, 20},
    {"Phoenix", "AZ", "850", "602", -7, false, 40},
    {"Denver", "CO", "802", "303", -7, true, 30},
    {"Minneapolis", "MN", "554", "612", -6, true, 30},
    {"Detroit", "MI", "482", "313", -5, true, 30},
    {"Columbus", "OH", "432", "614", -5, true, 30},
    {"Nashville", "TN", "372", "615", -6, true, 30},
    {"New Orleans", "LA", "701", "504", -6, true, 20},
    {"Albuquerque", "NM", "871", "505", -7, true, 15},
    {"Salt Lake City", "UT", "841", "801", -7, true, 15},
    {"Honolulu", "HI", "968", "808", -10, false, 10},
    {"Anchorage", "AK", "995", "907", -9, true, 5},
    {"Baltimore", "MD", "212", "410", -5, true, 25},
};

constexpr std::string_view kStreetNames[] = {
    "Main",    "Oak",       "Maple",      "Cedar",     "Elm",      "Washington", "Lake",
    "Hill",    "Park",      "Pine",       "Walnut",    "Sunset",   "Lincoln",    "Jackson",
    "Church",  "River",     "Highland",   "Spring",    "Ridge",    "Chestnut",   "Willow",
    "Meadow",  "Forest",    "Franklin",   "Jefferson", "Madison",  "Adams",      "Center",
    "Mill",    "School",    "North",      "South",     "Prospect", "Pleasant",   "Summit",
    "Cherry",  "Birch",     "Spruce",     "Hickory",   "Magnolia", "Orchard",    "Valley",
    "Harbor",  "Bay",       "Sycamore",   "Dogwood",   "Laurel",   "Hawthorn",   "Poplar",
    "Juniper", "Cypress",   "Bluebonnet", "Mesquite",  "Alamo",    "Calle Sol",  "Prairie",
    "Canal",   "Greenwood", "Fairview",   "Riverside",
};

constexpr std::string_view kStreetTypes[] = {"St", "Ave", "Rd", "Dr",  "Ln",  "Blvd",
                                             "Ct", "Way", "Pl", "Cir", "Ter", "Pkwy"};

constexpr Language kLanguages[] = {
    {"en-US", "English (United States)", 8000},
    {"es", "Spanish", 1300},
    {"zh", "Chinese", 120},
    {"vi", "Vietnamese", 100},
    {"pt", "Portuguese", 80},
    {"ht", "Haitian Creole", 60},
    {"ar", "Arabic", 60},
    {"ko", "Korean", 50},
    {"ru", "Russian", 50},
    {"hi", "Hindi", 40},
};

constexpr Facility kFacilities[] = {
    {"rgh", "Riverside General Hospital", FacilityKind::kHospital, 0, "400 Harborview Ave",
     "########"},
    {"lmc", "Lakeview Medical Center", FacilityKind::kHospital, 9, "2100 Prairie Lake Dr",
     "LM#######"},
    {"bch", "Bayou City Hospital", FacilityKind::kHospital, 16, "7700 Cypress Bend Blvd",
     "@@######"},
    {"chc", "Cedar Hills Community Clinic", FacilityKind::kClinic, 2, "15 Cedar Hills Rd",
     "C-######"},
    {"nfc", "Northfield Family Clinic", FacilityKind::kClinic, 11, "880 Northfield Way",
     "NF########"},
};

constexpr SpecialtyInfo kSpecialties[] = {
    {"419772000", "Family practice", "Family Medicine", "MD", false, 4},
    {"394802001", "General medicine", "Internal Medicine", "MD", false, 3},
    {"394537008", "Pediatric specialty", "Pediatrics", "MD", false, 3},
    {"394585009", "Obstetrics and gynecology", "Women's Health", "MD", false, 2},
    {"773568002", "Emergency medicine", "Emergency Department", "MD", true, 4},
    {"394609007", "General surgery", "Surgery", "MD", true, 3},
    {"394579002", "Cardiology", "Cardiology", "MD", true, 2},
    {"394587001", "Psychiatry", "Behavioral Health", "MD", false, 2},
    {"394587001", "Psychiatry", "Addiction Medicine", "DO", false, 1},
    {"394807007", "Infectious diseases", "Infectious Disease", "MD", true, 1},
    {"394802001", "General medicine", "Inpatient Medicine", "MD", true, 4},
    {"419772000", "Family practice", "Nurse Practitioner Clinic", "NP", false, 2},
};

}  // namespace

bool SexAllows(SexRule rule, Sex sex) {
  switch (rule) {
    case SexRule::kAny:
      return true;
    case SexRule::kFemale:
      return sex == Sex::kFemale;
    case SexRule::kMale:
      return sex == Sex::kMale;
  }
  return false;
}

std::span<const City> Cities() { return kCities; }
std::span<const std::string_view> StreetNames() { return kStreetNames; }
std::span<const std::string_view> StreetTypes() { return kStreetTypes; }
std::span<const Language> Languages() { return kLanguages; }
std::span<const Facility> Facilities() { return kFacilities; }
const SpecialtyInfo& SpecialtyOf(Specialty specialty) {
  return kSpecialties[static_cast<std::size_t>(specialty)];
}

}  // namespace chartroom::synth
