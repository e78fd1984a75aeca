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

# Installation (FHS). The programs' compiled-in paths are /etc/vitalsd, /var/lib/vitalsd and
# /run/vitalsd, and the units start /usr/bin/vitalsd: the prefix is /usr unless one is given.
# (Once per build folder, also in one configured before this rule: VSD_PREFIX_SET.)
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT OR
   (NOT VSD_PREFIX_SET AND CMAKE_INSTALL_PREFIX STREQUAL "/usr/local"))
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Installation prefix" FORCE)
endif()
set(VSD_PREFIX_SET ON CACHE INTERNAL "the default prefix /usr was applied")
include(GNUInstallDirs) # with the prefix /usr: CMAKE_INSTALL_FULL_SYSCONFDIR is /etc
set(VSD_ETC ${CMAKE_INSTALL_FULL_SYSCONFDIR}/vitalsd)
set(VSD_DOC ${CMAKE_INSTALL_DOCDIR})
# The example configuration and the Modbus profiles where vitalsd looks for them
# (DEFAULT_CONFIG in src/main.c, VSD_MB_PROFILE_DIR in drivers/modbus/link.h).
install(FILES config/vitalsd.conf DESTINATION ${VSD_ETC})
install(DIRECTORY config/profiles/ DESTINATION ${VSD_ETC}/profiles FILES_MATCHING PATTERN "*.conf")
# The dashboard, as mosquitto serves it (http_dir, docs/dashboard.md); vendor/mqtt.min.js when
# scripts/dashboard-vendor has copied it (not committed; packaging/check-dashboard.cmake).
install(DIRECTORY dashboard/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vitalsd/dashboard)
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/check-dashboard.cmake)
# systemd: the units, the service user (sysusers.d) and /etc/vitalsd's owner (tmpfiles.d), in
# the architecture-independent lib/ (/usr/lib/systemd/system, not Debian's multiarch libdir).
install(FILES systemd/vitalsd.service systemd/vitalsd-failed.service
        DESTINATION lib/systemd/system)
install(FILES systemd/vitalsd.sysusers DESTINATION lib/sysusers.d RENAME vitalsd.conf)
install(FILES systemd/vitalsd.tmpfiles DESTINATION lib/tmpfiles.d RENAME vitalsd.conf)
# Man pages, by section.
file(GLOB VSD_MAN_PAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.[1-8])
foreach(page ${VSD_MAN_PAGES})
  string(REGEX REPLACE ".*\\.([1-8])$" "\\1" section ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
# Documentation, and the broker's configuration as examples: Debian's mosquitto is another
# package, so its files and its unit are the clinic's to change (docs/reliability.md, "The
# systemd unit"); the demo's accounts stay out.
install(FILES README.md DESTINATION ${VSD_DOC})
install(DIRECTORY docs/ DESTINATION ${VSD_DOC}/docs)
install(FILES config/demo.conf DESTINATION ${VSD_DOC}/examples)
install(FILES config/mosquitto/mosquitto.conf config/mosquitto/acl
        DESTINATION ${VSD_DOC}/examples/mosquitto)
install(FILES config/mosquitto/mosquitto-hardening.conf
        DESTINATION ${VSD_DOC}/examples/mosquitto/mosquitto.service.d)

include(${CMAKE_CURRENT_LIST_DIR}/deb.cmake)
