# SPDX-License-Identifier: MIT
# Version stamp, installation layout and the Debian package (included from the top-level
# CMakeLists.txt after the programs are defined). README.md, "Install from the package".

# vsd_version.h: VSD_VERSION (project(VERSION)) and VSD_COMMIT (git, "unknown" outside git),
# rewritten by every build so that the commit is the one built, not the one configured.
set(VSD_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_target(vsd_version_h ALL
                  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR}
                          -DOUT=${VSD_GENERATED_DIR}/vsd_version.h -DVERSION=${PROJECT_VERSION}
                          -P ${CMAKE_CURRENT_LIST_DIR}/version.cmake
                  BYPRODUCTS ${VSD_GENERATED_DIR}/vsd_version.h
                  COMMENT "" VERBATIM)
foreach(prog vitalsd vitalsctl)
  add_dependencies(${prog} vsd_version_h)
  target_include_directories(${prog} PRIVATE ${VSD_GENERATED_DIR})
endforeach()
