# Runs at install time (from cmake_install.cmake): copies the systemd units and
# launchd plists with /usr/local/ replaced by the install prefix, and writes
# monitoring.yml (the example config scraping the local exporter on 5001).
# Inputs: MS_DEPLOY_SOURCE_DIR, MS_DEPLOY_SHARE_DIR (relative to the prefix or
# absolute), CMAKE_INSTALL_PREFIX, $ENV{DESTDIR}.
if(IS_ABSOLUTE "${MS_DEPLOY_SHARE_DIR}")
  set(ms_share "${MS_DEPLOY_SHARE_DIR}")
else()
  set(ms_share "${CMAKE_INSTALL_PREFIX}/${MS_DEPLOY_SHARE_DIR}")
endif()
string(REGEX REPLACE "/+$" "" ms_prefix "${CMAKE_INSTALL_PREFIX}")

function(ms_install_text out text)
  set(path "$ENV{DESTDIR}${out}")
  message(STATUS "Installing: ${path}")
  get_filename_component(dir "${path}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(WRITE "${path}" "${text}")
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${path}")
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
endfunction()

foreach(kind systemd launchd)
  file(GLOB templates "${MS_DEPLOY_SOURCE_DIR}/${kind}/*.service" "${MS_DEPLOY_SOURCE_DIR}/${kind}/*.plist")
  foreach(template ${templates})
    file(READ "${template}" text)
    string(REPLACE "/usr/local/" "${ms_prefix}/" text "${text}")
    get_filename_component(name "${template}" NAME)
    ms_install_text("${ms_share}/${kind}/${name}" "${text}")
  endforeach()
endforeach()

file(READ "${MS_DEPLOY_SOURCE_DIR}/monitoring.example.yml" text)
string(REPLACE "__EXPORTER__" "127.0.0.1:5001" text "${text}")
string(REPLACE "__RULES__" "${ms_share}/rules" text "${text}")
ms_install_text("${ms_share}/monitoring.yml" "${text}")
