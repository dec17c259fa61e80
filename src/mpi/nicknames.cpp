#include "mpi/nicknames.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace chartroom::mpi {
namespace {

// {informal, formal}, sorted by informal name. Self-made from common usage.
constexpr std::pair<std::string_view, std::string_view> kForms[] = {
    {"abby", "abigail"},    {"abe", "abraham"},       {"alex", "alexander"},
    {"alexa", "alexandra"}, {"alfie", "alfred"},      {"allie", "allison"},
    {"andy", "andrew"},     {"angie", "angela"},      {"annie", "ann"},
    {"art", "arthur"},      {"barb", "barbara"},      {"becky", "rebecca"},
    {"ben", "benjamin"},    {"benny", "benjamin"},    {"bert", "albert"},
    {"beth", "elizabeth"},  {"betsy", "elizabeth"},   {"betty", "elizabeth"},
    {"bill", "william"},    {"billy", "william"},     {"bob", "robert"},
    {"bobby", "robert"},    {"brad", "bradley"},      {"cathy", "catherine"},
    {"charlie", "charles"}, {"chris", "christopher"}, {"chuck", "charles"},
    {"cindy", "cynthia"},   {"dan", "daniel"},        {"danny", "daniel"},
    {"dave", "david"},      {"davey", "david"},       {"deb", "deborah"},
    {"debbie", "deborah"},  {"dick", "richard"},      {"don", "donald"},
    {"donny", "donald"},    {"doug", "douglas"},      {"ed", "edward"},
    {"eddie", "edward"},    {"ellie", "eleanor"},     {"fran", "frances"},
    {"frank", "francis"},   {"fred", "frederick"},    {"freddie", "frederick"},
    {"gabe", "gabriel"},    {"gene", "eugene"},       {"geoff", "geoffrey"},
    {"greg", "gregory"},    {"hank", "henry"},        {"harry", "henry"},
    {"jack", "john"},       {"jackie", "jacqueline"}, {"jake", "jacob"},
    {"jamie", "james"},     {"jan", "janet"},         {"jeff", "jeffrey"},
    {"jen", "jennifer"},    {"jenny", "jennifer"},    {"jerry", "gerald"},
    {"jim", "james"},       {"jimmy", "james"},       {"jo", "joanne"},
    {"joe", "joseph"},      {"joey", "joseph"},       {"johnny", "john"},
    {"jon", "jonathan"},    {"josh", "joshua"},       {"judy", "judith"},
    {"kate", "katherine"},  {"kathy", "katherine"},   {"katie", "katherine"},
    {"ken", "kenneth"},     {"kenny", "kenneth"},     {"kim", "kimberly"},
    {"larry", "lawrence"},  {"len", "leonard"},       {"lenny", "leonard"},
    {"liz", "elizabeth"},   {"lizzie", "elizabeth"},  {"lou", "louis"},
    {"maggie", "margaret"}, {"mandy", "amanda"},      {"matt", "matthew"},
    {"meg", "margaret"},    {"mike", "michael"},      {"mikey", "michael"},
    {"mitch", "mitchell"},  {"nan", "nancy"},         {"nate", "nathan"},
    {"nick", "nicholas"},   {"nicky", "nicholas"},    {"paco", "francisco"},
    {"pam", "pamela"},      {"pancho", "francisco"},  {"pat", "patricia"},
    {"patty", "patricia"},  {"peggy", "margaret"},    {"pepe", "jose"},
    {"pete", "peter"},      {"phil", "philip"},       {"ray", "raymond"},
    {"rich", "richard"},    {"rick", "richard"},      {"ricky", "richard"},
    {"rob", "robert"},      {"robbie", "robert"},     {"ron", "ronald"},
    {"ronnie", "ronald"},   {"sam", "samuel"},        {"sammy", "samuel"},
    {"sandy", "sandra"},    {"steve", "steven"},      {"stevie", "steven"},
    {"sue", "susan"},       {"susie", "susan"},       {"ted", "edward"},
    {"teddy", "edward"},    {"terry", "terrence"},    {"tim", "timothy"},
    {"timmy", "timothy"},   {"tom", "thomas"},        {"tommy", "thomas"},
    {"tony", "anthony"},    {"trish", "patricia"},    {"vicky", "victoria"},
    {"vince", "vincent"},   {"walt", "walter"},       {"will", "william"},
    {"willy", "william"},   {"zach", "zachary"},      {"zack", "zachary"},
};

constexpr bool Sorted() {
  for (std::size_t i = 1; i < std::size(kForms); ++i) {
    if (!(kForms[i - 1].first < kForms[i].first)) return false;
  }
  return true;
}
static_assert(Sorted(), "kForms must be sorted by informal name");

}  // namespace

std::string_view FormalGiven(std::string_view given) {
  const auto* it =
      std::lower_bound(std::begin(kForms), std::end(kForms), given,
                       [](const auto& form, std::string_view g) { return form.first < g; });
  return it != std::end(kForms) && it->first == given ? it->second : given;
}

}  // namespace chartroom::mpi
