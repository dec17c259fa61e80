#include "core/result_macros.hpp"
#include "store/sqlite/store_internal.hpp"

namespace chartroom::store::sqlite {

Result<std::optional<SqliteCompartments::Row>> SqliteCompartments::FindByPatient(
    std::optional<std::string_view> patient_id) {
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt select,
      db_.Prepare(patient_id ? "SELECT cid, wrapped_key FROM compartments WHERE patient_id = ?"
                             : "SELECT cid, wrapped_key FROM compartments WHERE patient_id "
                               "IS NULL"));
  if (patient_id) select.Bind(1, *patient_id);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return std::optional<Row>();
  Row row;
  row.cid = select.Int(0);
  if (patient_id) row.patient_id = std::string(*patient_id);
  row.wrapped_key = std::string(select.BlobView(1));
  return std::optional<Row>(std::move(row));
}

Result<std::optional<SqliteCompartments::Row>> SqliteCompartments::FindById(std::int64_t cid) {
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt select, db_.Prepare("SELECT patient_id, wrapped_key FROM compartments WHERE cid = ?"));
  select.Bind(1, cid);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return std::optional<Row>();
  Row row;
  row.cid = cid;
  if (!select.IsNull(0)) row.patient_id = std::string(select.Text(0));
  row.wrapped_key = std::string(select.BlobView(1));
  return std::optional<Row>(std::move(row));
}

Result<std::int64_t> SqliteCompartments::Insert(std::optional<std::string_view> patient_id,
                                                std::string_view wrapped_key,
                                                std::int64_t now_micros) {
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt insert,
      db_.Prepare(
          "INSERT OR ROLLBACK INTO compartments (patient_id, wrapped_key, created_at) VALUES "
          "(?, ?, ?)"));
  if (patient_id) {
    insert.Bind(1, *patient_id);
  } else {
    insert.BindNull(1);
  }
  insert.BindBlob(2, wrapped_key).Bind(3, now_micros);
  CHARTROOM_RETURN_IF_ERROR(insert.Run());
  return db_.LastInsertRowid();
}

}  // namespace chartroom::store::sqlite
