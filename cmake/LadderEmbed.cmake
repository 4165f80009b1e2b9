# ladder_embed_sql_migrations(TARGET DIR NAMESPACE)
#
# Compiles every NNNN_name.sql file of DIR into the target, so a server binary
# carries its own schema and never depends on files beside it at run time.
# The generated function is `const std::vector<ladder::db::Migration>& <NAMESPACE>::Migrations()`.
function(ladder_embed_sql_migrations target dir namespace)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sql_files)
  set(entries "")
  foreach(file ${sql_files})
    get_filename_component(base ${file} NAME_WE)
    string(REGEX MATCH "^([0-9]+)_(.*)$" _ ${base})
    if(NOT CMAKE_MATCH_1)
      message(FATAL_ERROR "Migration ${file} must be named NNNN_description.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1} + 0")
    file(READ ${file} body)
    string(APPEND entries "    {${version}, \"${CMAKE_MATCH_2}\", R\"ladder_sql(${body})ladder_sql\"},\n")
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  file(CONFIGURE OUTPUT ${out} CONTENT
"// Generated from ${dir} by cmake/LadderEmbed.cmake. Do not edit.
#include <vector>
#include \"common/db/migration.h\"

namespace ${namespace} {
const std::vector<ladder::db::Migration>& Migrations() {
  static const auto* const kMigrations = new std::vector<ladder::db::Migration>{
${entries}  };
  return *kMigrations;
}
}  // namespace ${namespace}
")
  target_sources(${target} PRIVATE ${out})
endfunction()
