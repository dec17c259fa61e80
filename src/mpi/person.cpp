#include "mpi/person.hpp"

#include <cstdio>
#include <future>

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "mpi/nicknames.hpp"
#include "mpi/text.hpp"

namespace chartroom::mpi {
namespace json = boost::json;
namespace {

std::string_view Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

const json::array* Arr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

// The official name, else the usual one, else the first.
const json::object* ChooseName(const json::array* names) {
  if (names == nullptr) return nullptr;
  const json::object* first = nullptr;
  const json::object* usual = nullptr;
  for (const json::value& n : *names) {
    if (!n.is_object()) continue;
    const json::object& o = n.get_object();
    const std::string_view use = Str(o, "use");
    if (use == "official") return &o;
    if (use == "old" || use == "maiden") continue;
    if (use == "usual" && usual == nullptr) usual = &o;
    if (first == nullptr) first = &o;
  }
  return usual != nullptr ? usual : first;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

}  // namespace

std::string Person::BirthDigits() const {
  if (birth_year == 0) return {};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02d", birth_year, birth_month, birth_day);
  return buffer;
}

Person PersonFromPatient(const json::object& patient) {
  Person p;
  p.id = std::string(Str(patient, "id"));
  if (const json::value* active = patient.if_contains("active");
      active != nullptr && active->is_bool()) {
    p.active = active->get_bool();
  }
  if (const json::object* name = ChooseName(Arr(patient, "name"))) {
    std::vector<std::string> given;
    if (const json::array* g = Arr(*name, "given")) {
      for (const json::value& part : *g) {
        if (!part.is_string()) continue;
        for (std::string& token : Tokens(part.get_string())) given.push_back(std::move(token));
      }
    }
    if (!given.empty()) {
      p.given_as_written = given[0];
      p.given = std::string(FormalGiven(given[0]));
      if (given.size() > 1) p.middle = given[1];
    }
    p.family_parts = Tokens(Str(*name, "family"));
    p.family = Join(p.family_parts);
  }
  // FHIR date: YYYY, YYYY-MM or YYYY-MM-DD.
  const std::string_view birth = Str(patient, "birthDate");
  if (birth.size() >= 4) {
    std::sscanf(std::string(birth).c_str(), "%4d-%2d-%2d", &p.birth_year, &p.birth_month,
                &p.birth_day);
    p.birth = p.BirthDigits();
  }
  const std::string_view gender = Str(patient, "gender");
  if (gender == "male") p.sex = 'm';
  if (gender == "female") p.sex = 'f';
  if (gender == "other") p.sex = 'o';
  if (const json::array* addresses = Arr(patient, "address")) {
    for (const json::value& a : *addresses) {
      if (!a.is_object()) continue;
      const json::object& o = a.get_object();
      if (Str(o, "use") == "old") continue;
      std::string postcode = Fold(Str(o, "postalCode"));
      std::erase(postcode, ' ');
      p.postcode = std::move(postcode);
      p.city = Fold(Str(o, "city"));
      if (const json::array* lines = Arr(o, "line");
          lines != nullptr && !lines->empty() && (*lines)[0].is_string()) {
        p.street = Fold((*lines)[0].get_string());
      }
      break;
    }
  }
  if (const json::array* telecom = Arr(patient, "telecom")) {
    for (const json::value& t : *telecom) {
      if (!t.is_object() || Str(t.get_object(), "system") != "phone") continue;
      std::string digits = Digits(Str(t.get_object(), "value"));
      if (digits.size() > 10) digits = digits.substr(digits.size() - 10);
      p.phone = std::move(digits);
      break;
    }
  }
  if (const json::array* identifiers = Arr(patient, "identifier")) {
    for (const json::value& i : *identifiers) {
      if (!i.is_object()) continue;
      Identifier id;
      id.system = std::string(Str(i.get_object(), "system"));
      id.value = Fold(Str(i.get_object(), "value"));
      if (const json::value* type = i.get_object().if_contains("type");
          type != nullptr && type->is_object()) {
        if (const json::array* codings = Arr(type->get_object(), "coding")) {
          for (const json::value& c : *codings) {
            if (!c.is_object()) continue;
            const std::string_view code = Str(c.get_object(), "code");
            id.person = id.person || code == "SS" || code == "NI" || code == "NH" || code == "DL" ||
                        code == "PPN" || code == "MC";
          }
        }
      }
      std::erase(id.value, ' ');
      if (!id.value.empty()) p.identifiers.push_back(std::move(id));
    }
  }
  return p;
}

Result<std::vector<Person>> LoadActivePeople(store::ResourceStore& store) {
  // The store reads on this thread while another parses the batch before: the two halves of
  // the work overlap.
  constexpr std::size_t kBatch = 20'000;
  std::vector<Person> people;
  std::vector<std::string> batch;
  std::future<void> parsing;
  auto hand_over = [&] {
    if (parsing.valid()) parsing.get();
    parsing = std::async(std::launch::async, [&people, texts = std::move(batch)] {
      for (const std::string& text : texts) {
        boost::system::error_code ec;
        json::value value = json::parse(text, ec);
        if (ec || !value.is_object()) continue;
        Person person = PersonFromPatient(value.get_object());
        if (person.active) people.push_back(std::move(person));
      }
    });
    batch = {};
  };
  Status read =
      store.ForEachCurrent({"Patient"}, std::nullopt, [&](const store::ResourceVersion& v) {
        batch.push_back(v.json);
        if (batch.size() >= kBatch) hand_over();
        return true;
      });
  hand_over();
  parsing.get();
  if (!read) return tl::unexpected(read.error());
  return people;
}

}  // namespace chartroom::mpi
