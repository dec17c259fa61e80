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
    R"json({"prior":7.165580693426213E-6,"iterations":13,"fields":{"given":{"m":[2.54192730)json"
    R"json(5319344E-1,9.99999001176026E-7,2.0051657308453145E-2,3.2415150900926404E-1,4.016)json"
    R"json(031031513474E-1],"u":[9.718453519331008E-1,2.49996875039062E-6,1.594730065874176)json"
    R"json(7E-2,2.592467594155073E-3,9.612379845251935E-3]},"family":{"m":[8.77869342765278)json"
    R"json(4E-3,9.99999001176026E-7,1.2923604908609884E-2,1.1166425405330468E-1,8.666324476)json"
    R"json(114315E-1],"u":[9.858951763102961E-1,2.49996875039062E-6,5.20243496956288E-3,8.6)json"
    R"json(2489218884764E-4,8.037399532505844E-3]},"birth":{"m":[6.1409791248899885E-3,9.99)json"
    R"json(9990012343008E-7,1.4972278394882943E-2,3.8501492469401977E-1,5.938708177872061E-)json"
    R"json(1],"u":[9.960850489368883E-1,2.49996875039062E-6,2.632467094161323E-3,1.23248459)json"
    R"json(39425757E-3,4.749940625742178E-5]},"sex":{"m":[6.527074913722301E-2,9.3472925086)json"
    R"json(2777E-1],"u":[5.060687489621232E-1,4.9393125103787683E-1]},"postcode":{"m":[2.11)json"
    R"json(11314126143743E-1,1.2183035312977814E-2,7.767038234255847E-1],"u":[9.75125186561)json"
    R"json(1008E-1,2.3572323207575942E-2,1.3024902313232651E-3]},"street":{"m":[2.237675779)json"
    R"json(2710103E-1,9.999990012044583E-7,7.762314220738977E-1],"u":[9.989100081749387E-1,)json"
    R"json(1.0874918438111714E-3,2.499981250140624E-6]},"city":{"m":[1.856918895809892E-1,9)json"
    R"json(.999990012044583E-7,8.143071104200097E-1],"u":[9.1040067199496E-1,2.499981250140)json"
    R"json(624E-6,8.959682802378982E-2]},"phone":{"m":[3.0406318834334767E-1,1.225705678204)json"
    R"json(9693E-3,6.947111059784474E-1],"u":[9.897100771744212E-1,9.047432144258918E-3,1.2)json"
    R"json(4249068131989E-3]},"identifier":{"m":[1.4564986790785345E-1,1.176267436549986E-1)json"
    R"json(,7.367233884371479E-1],"u":[9.999864701684126E-1,3.3824578968553287E-6,1.0147373)json"
    R"json(690565987E-5]},"middle":{"m":[8.321720258349036E-2,3.2405258675492904E-2,8.84377)json"
    R"json(5387410168E-1],"u":[9.891028375987074E-1,1.8884684520853586E-4,1.070831555608401)json"
    R"json(5E-2]}}})json";
}

}  // namespace chartroom::mpi
