# chartroom_add_module(<name> TIER <n> SOURCES ... DEPENDS ... [SIBLINGS ...])
#
# Declares the static library chartroom_<name> built from src/<name>/. The tier rule of
# docs/architecture.md is enforced twice:
#   * at configure time, every DEPENDS entry must sit on a lower tier (same-tier edges must be
#     listed in SIBLINGS as well, and point to a module declared earlier, so no cycle can form);
#   * at compile time, each module sees an include "view" that holds symlinks to itself and to
#     the modules it depends on, transitively, and nothing else. An include of a module it does
#     not depend on (an upward include) fails with "No such file or directory".
function(chartroom_add_module name)
  cmake_parse_arguments(M "" "TIER" "SOURCES;DEPENDS;SIBLINGS" ${ARGN})
  if(NOT DEFINED M_TIER)
    message(FATAL_ERROR "module ${name}: TIER is required")
  endif()
  set(closure ${name})
  foreach(dep IN LISTS M_DEPENDS)
    get_property(dep_tier GLOBAL PROPERTY CHARTROOM_TIER_${dep})
    if(NOT DEFINED dep_tier OR dep_tier STREQUAL "")
      message(FATAL_ERROR "module ${name} depends on ${dep}, which is not declared (yet)")
    endif()
    if(dep_tier GREATER M_TIER)
      message(FATAL_ERROR "module ${name} (tier ${M_TIER}) may not depend on ${dep} (tier ${dep_tier})")
    endif()
    if(dep_tier EQUAL M_TIER AND NOT dep IN_LIST M_SIBLINGS)
      message(FATAL_ERROR "module ${name}: same-tier dependency ${dep} must be listed in SIBLINGS")
    endif()
    get_property(dep_closure GLOBAL PROPERTY CHARTROOM_CLOSURE_${dep})
    list(APPEND closure ${dep_closure})
  endforeach()
  list(REMOVE_DUPLICATES closure)
  set_property(GLOBAL PROPERTY CHARTROOM_TIER_${name} ${M_TIER})
  set_property(GLOBAL PROPERTY CHARTROOM_CLOSURE_${name} ${closure})

  set(view ${CMAKE_BINARY_DIR}/include-views/${name})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  foreach(m IN LISTS closure)
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${m} ${view}/${m} SYMBOLIC)
  endforeach()

  add_library(chartroom_${name} STATIC ${M_SOURCES})
  target_include_directories(chartroom_${name} PUBLIC ${view})
  target_link_libraries(chartroom_${name} PUBLIC chartroom_options)
  foreach(dep IN LISTS M_DEPENDS)
    target_link_libraries(chartroom_${name} PUBLIC chartroom_${dep})
  endforeach()
endfunction()

# chartroom_add_test(<module> [PRE_TEST_DISCOVERY] SOURCES ...): one GoogleTest executable per
# module, mirroring src/. PRE_TEST_DISCOVERY lists the tests when ctest runs rather than after the
# build, for executables whose tests depend on the environment (the store's backends register
# from TEST_PG_DSN).
function(chartroom_add_test module)
  cmake_parse_arguments(T "PRE_TEST_DISCOVERY" "" "SOURCES;LIBS" ${ARGN})
  add_executable(chartroom_${module}_tests ${T_SOURCES})
  target_link_libraries(chartroom_${module}_tests PRIVATE chartroom_${module} ${T_LIBS}
                        GTest::gmock GTest::gtest_main)
  target_compile_definitions(chartroom_${module}_tests PRIVATE
    CHARTROOM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CHARTROOM_SHARED_DATA_DIR="${CHARTROOM_SHARED_DATA_DIR}")
  # Value-parameterized tests name their cases (a name generator); the value is not appended.
  set(discovery_mode POST_BUILD)
  if(T_PRE_TEST_DISCOVERY)
    set(discovery_mode PRE_TEST)
  endif()
  gtest_discover_tests(chartroom_${module}_tests DISCOVERY_TIMEOUT 60 NO_PRETTY_VALUES
                       DISCOVERY_MODE ${discovery_mode} PROPERTIES LABELS ${module})
endfunction()
