// The matching model the server falls back on when its store holds too few patients to train one
// (app/patient_index.cpp): trained by EM, never hand-set, on a synthetic population of 20,000
// patients with 5 % duplicate registrations:
//
//   chartroom generate --patients 20000 --duplicates 0.05 --out /tmp/gen --patients-only
//   chartroom import /tmp/gen/Patient.ndjson --data /tmp/mpi
//   chartroom mpi model --data /tmp/mpi
//
// Generated output; regenerate it with the commands above rather than editing it.

#include "mpi/default_model.hpp"

namespace chartroom::mpi {

std::string_view DefaultModelJson() {
  return
    R"json({"prior":2.1078632854042703E-3,"iterations":101,"fields":{"given":{"m":[8.989211)json"
    R"json(176029144E-1,2.372187197647681E-12,3.450345524984208E-2,1.2347232945489122E-2,5.)json"
    R"json(42281941993822E-2],"u":[9.718603517456031E-1,2.49996875039062E-6,1.5947300658741)json"
    R"json(767E-2,2.5774677816527295E-3,9.612379845251935E-3]},"family":{"m":[6.24062938592)json"
    R"json(388E-1,2.372187197647679E-12,1.777478273837846E-2,2.4794097484678E-2,3.333681811)json"
    R"json(8218325E-1],"u":[9.859101761227984E-1,2.49996875039062E-6,5.20243496956288E-3,8.)json"
    R"json(474894063824202E-4,8.037399532505844E-3]},"birth":{"m":[9.766220965059524E-1,2.3)json"
    R"json(72187197647678E-12,3.1478915548570283E-3,2.471818860586185E-3,1.7758193076232158)json"
    R"json(E-2],"u":[9.960850489368883E-1,2.49996875039062E-6,2.632467094161323E-3,1.232484)json"
    R"json(5939425757E-3,4.749940625742178E-5]},"sex":{"m":[4.753396622799444E-1,5.24660337)json"
    R"json(7200556E-1],"u":[5.060687489621232E-1,4.9393125103787683E-1]},"postcode":{"m":[8)json"
    R"json(.71270891191272E-1,1.1350441259394779E-1,1.5224696214780292E-2],"u":[9.751251865)json"
    R"json(611008E-1,2.3572323207575942E-2,1.3024902313232651E-3]},"street":{"m":[9.9645358)json"
    R"json(04811424E-1,1.1386495132393955E-3,2.4077700056181033E-3],"u":[9.989100081749387E)json"
    R"json(-1,1.0874918438111714E-3,2.499981250140624E-6]},"city":{"m":[5.404575268980393E-)json"
    R"json(1,2.3721871976476763E-12,4.595424730995885E-1],"u":[9.1040067199496E-1,2.4999812)json"
    R"json(50140624E-6,8.959682802378982E-2]},"phone":{"m":[4.173457563846756E-1,3.48236835)json"
    R"json(77103297E-3,5.79171875257614E-1],"u":[9.897100771744212E-1,9.047432144258918E-3,)json"
    R"json(1.24249068131989E-3]},"identifier":{"m":[9.977407126666942E-1,2.4000927761774787)json"
    R"json(E-4,2.019278055688038E-3],"u":[9.999864701684126E-1,3.3824578968553287E-6,1.0147)json"
    R"json(373690565987E-5]}}})json";
}

}  // namespace chartroom::mpi
