// The numbered schema migrations of the PostgreSQL store. Each is a SQL script in
// src/store/postgres/migrations/NNNN_name.sql, compiled in by the build; schema.cpp applies the
// ones a database lacks, in order, each with its schema_version row, in one transaction.
// A released migration is never edited: a change to the schema is a new, higher-numbered file.
//
// Thread safety: immutable static data.

#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace chartroom::store::postgres {

struct Migration {
  std::int64_t version;  // the file's number; versions are consecutive from 1
  std::string_view name;
  std::string_view sql;
};

// Every migration, lowest version first.
std::span<const Migration> AllMigrations();

}  // namespace chartroom::store::postgres
