# Las palabras del centro de privacidad, en español. Cada mensaje de
# en/privacy.ftl debe estar aquí (una prueba lo comprueba). Lenguaje
# sencillo: un término legal lleva su explicación al lado.

site-name = Centro de privacidad
skip-to-content = Saltar al contenido
language = Idioma
sign-out = Cerrar sesión
footer-controller = Tus datos están a cargo de { $controller }. Si tienes preguntas:

## Iniciar sesión
sign-in-title = Consulta y gestiona tus datos
sign-in-intro = Escribe la dirección de correo que nos diste. Te enviaremos un código para entrar: no hay contraseña que recordar.
sign-in-email = Tu dirección de correo
sign-in-send = Envíame un código
sign-in-why = Pedimos un código para que nadie más vea tus datos. Si la dirección no es una de las nuestras, no se envía nada, y esta página no revela a nadie si eres cliente.
code-title = Escribe tu código
code-sent = Si la dirección es una de las nuestras, el código está en camino. Sirve durante unos minutos y una sola vez.
code-printed = Esta instalación no envía correos: el código se entregó al operador, que puede hacértelo llegar.
code-label = Tu código
code-submit = Entrar
code-again = Pedir un código nuevo
code-wrong = El código no es correcto o ha caducado. Revísalo o pide uno nuevo.

## Problemas
error-title = Algo ha fallado
error-back = Volver al centro de privacidad
error-unauthenticated = Tu sesión ha terminado. Vuelve a entrar, por favor.
error-forbidden = Esta página no pudo aceptar el formulario. Recarga la página e inténtalo de nuevo.
error-not-found = No lo hemos encontrado.
error-too-many = Demasiados intentos desde aquí. Espera un minuto y vuelve a intentarlo.
error-invalid = No pudimos usar lo enviado: { $detail }
error-busy = Estamos ocupados en este momento. Inténtalo de nuevo dentro de un rato.
error-internal = No pudimos completar esto. No es culpa tuya; inténtalo más tarde.
error-erased = Hemos borrado tus datos, como pediste. Aquí ya no queda nada que mostrar.

## Solicitudes: una copia de tus datos, una corrección, el borrado
back-to-dashboard = Volver a tus datos
nav-requests = Descargar, corregir o borrar tus datos
requests-title = Descargar, corregir o borrar tus datos
requests-intro = Puedes pedirnos una copia de tus datos, que los corrijamos o que los borremos. La ley nos da un plazo para cada solicitud, y aquí puedes seguir cada una.
requests-yours = Tus solicitudes
requests-none = Todavía no has pedido nada.
request-what = Solicitud
request-opened = Pedida el
request-state = Cómo va
request-due = Debemos responder antes del
request-copy = Tu copia
request-download = Descargar (zip)
request-extended = Necesitamos más tiempo: { $reason }
request-kind-access = Una copia de tus datos
request-kind-portability = Tus datos, para llevarlos a otro sitio
request-kind-erasure = Borrar tus datos
request-kind-rectification = Corregir tus datos
request-kind-restriction = Limitar cómo usamos tus datos
request-kind-objection = Dejar de usar tus datos para algo
request-kind-opt-out-sale-share = Dejar de vender y compartir tus datos
request-kind-limit-sensitive-use = Limitar el uso de tus datos sensibles
request-state-received = Recibida
request-state-verified = Recibida; estamos en ello
request-state-in-progress = En curso
request-state-completed = Hecha
request-state-rejected = Rechazada
requests-done-access = Hemos recibido tu solicitud de una copia de tus datos. Cuando esté lista podrás descargarla aquí, y te avisaremos por correo.
requests-done-portability = Hemos recibido tu solicitud de tus datos para llevarlos a otro sitio. Cuando esté lista podrás descargarla aquí, y te avisaremos por correo.
requests-done-rectification = Hemos recibido tu corrección. Te avisaremos por correo cuando tus datos estén corregidos.
requests-done-erasure = Hemos recibido tu solicitud de borrar tus datos. Te avisaremos por correo cuando esté hecho.
requests-done-already = Ya lo pediste y lo estamos tramitando: aparece abajo con su plazo. Cuando esté hecho puedes volver a pedirlo.
copy-title = Obtén una copia de tus datos
copy-intro = Una copia para leer muestra todo lo que guardamos sobre ti y cómo lo usamos. Una copia para llevar a otro sitio contiene los datos que nos diste en formatos que otros servicios pueden leer.
copy-access = Pedir una copia para leer
copy-portability = Pedir una copia para llevar a otro sitio
copy-hint = La copia es un solo archivo zip: un resumen en palabras sencillas, tus datos en tablas (CSV) y en JSON, y la lista de todos los archivos con su suma de comprobación, para que sepas que nada se ha cambiado.
correct-title = Corrige tus datos
correct-intro = Rellena solo lo que esté mal, con el valor correcto. Deja vacío lo demás.
correct-send = Pedir esta corrección
correct-invalid = No pudimos usar esta corrección: { $detail }
correct-too-long = Un valor es demasiado largo: que cada uno tenga menos de 254 caracteres.
delete-title = Borra tus datos
delete-intro-short = Puedes pedirnos que borremos todo lo que guardamos sobre ti.
delete-see = Mira qué se borraría y qué debemos conservar
delete-intro = Antes de que lo pidas, esto es lo que significa borrar tus datos.
delete-goes = Qué borramos
delete-messages = Tus mensajes para nosotros ({ $count })
delete-goes-choices = Tus decisiones y su historial, y la clave que cifra tus datos
delete-stays = Qué debemos conservar, y por qué
delete-no-holds = Ahora mismo ninguna ley nos obliga a conservar datos tuyos.
delete-holds-intro = Una ley nos obliga a conservar algunos de tus datos durante un tiempo (se llama conservación legal). Los guardamos bajo llave, los usamos solo por ese motivo y los borramos cuando se acaba el plazo.
hold-why = Por qué
hold-what = Qué conservamos
hold-until = Hasta
hold-reason = En nuestras palabras
delete-always-kept = También guardamos constancia de que borramos tus datos y de quién los usó, con un código en lugar de tu nombre, para poder demostrar que cumplimos la ley (el artículo 5.2 del RGPD nos pide poder demostrarlo); y una huella de un solo sentido de tus datos de contacto, para que tus datos no vuelvan con una importación posterior.
delete-ask = Pídenos que borremos tus datos
delete-what-next = Cuando lo pidas, te lo confirmamos por correo y borramos tus datos dentro del plazo legal. Después no podrás entrar aquí, porque ya no te conoceremos.
delete-confirm = Borrar mis datos
delete-pending = Lo pediste el { $opened }. Cómo va: { $state }. Debemos responder antes del { $due }.
delete-follow = Seguir tu solicitud
receipt-download = Recibo firmado de esta decisión
receipt-download-label = Descargar el recibo firmado de tu decisión sobre { $purpose }

## Permitir la venta o el intercambio de tus datos pese a una exclusión
gpc-confirm-title = ¿Permitir la venta o el intercambio de tus datos?
gpc-confirm-gpc = Tu navegador envía una señal Global Privacy Control, que nos pide no vender ni compartir tus datos. Permitir «{ $purpose }» cuenta como vender o compartir según la ley de California.
gpc-confirm-opted-out = Pediste que no vendamos ni compartamos tus datos. Permitir «{ $purpose }» cuenta como vender o compartir según la ley de California.
gpc-confirm-explain = Si lo permites, tu propia decisión se aplica en lugar de la exclusión hasta que la cambies. Guardamos las dos, la exclusión y tu decisión, con sus fechas.
gpc-confirm-yes = Sí, permitirlo
gpc-confirm-no = No, mantener mi exclusión
sale-on-explicit = Tu navegador envía una señal Global Privacy Control, que nos pide no vender ni compartir tus datos. El { $date } decidiste permitirlo de todos modos: tu propia decisión se aplica hasta que la cambies.

## El panel
dashboard-title = Tus datos
dashboard-intro = Aquí ves qué datos tuyos guardamos y por qué, y puedes cambiar lo que permites.
held-title = Qué guardamos sobre ti
held-intro = Estos son los datos que guardamos sobre ti. Se almacenan cifrados, con una clave que es solo tuya.
held-nothing = No guardamos datos de contacto ni perfil tuyos.
held-what = Qué
held-value = Lo que guardamos
held-kind = Tipo de dato
held-from = De dónde viene
held-kept = Cuánto tiempo lo guardamos
held-kept-intro = Guardamos cada dato mientras lo necesiten los usos de tus datos que lo emplean, contando desde tu último contacto con nosotros; si vuelves a escribirnos, la fecha se desplaza. Un dato que ya no necesita ningún uso se puede borrar si lo pides.
kept-until = hasta el { $date }, para: { $purposes }
kept-unused = Ningún uso de tus datos lo necesita ahora. Puedes pedirnos que lo borremos.
source-platform = De tus publicaciones y mensajes en { $platform }
source-crm = De nuestro registro de clientes (CRM)
source-staff = Introducido por nuestro personal
source-correction = Cambiado a petición tuya
source-unrecorded = Sin registrar: lo guardamos antes de anotar el origen de los datos
messages-title = Tus mensajes
messages-intro = Guardamos lo que nos escribiste o escribiste sobre nosotros en redes sociales. Los datos personales que contienen, como números de teléfono, se ocultan al personal cuyo trabajo no los necesita.
messages-nothing = No guardamos mensajes tuyos.
messages-where = Dónde
messages-count = Cuántos
messages-period = Cuándo
messages-period-value = del { $first } al { $last }
choices-title = Para qué usamos tus datos, y tus opciones
choices-intro = Cada uso de tus datos aparece con el motivo por el que la ley lo permite. Cuando la decisión es tuya, un botón la cambia, y puedes volver a cambiarla cuando quieras.
purpose-basis = Por qué podemos
purpose-reads = Datos que usa
purpose-kept = Cuánto tiempo
purpose-kept-days = como mucho { $days } días
purpose-now = Ahora
purpose-no-choice = La ley nos permite hacerlo sin preguntar, por el motivo indicado. Aun así puedes pedirnos que lo limitemos o presentar una queja.

## Bases legales, cada una con su explicación
basis-consent = Tu consentimiento
basis-consent-explained = Solo lo hacemos si dices que sí, y puedes retirarlo cuando quieras.
basis-contract = Nuestro contrato contigo
basis-contract-explained = Lo necesitamos para darte lo que nos pediste.
basis-legal-obligation = Una obligación legal
basis-legal-obligation-explained = Una ley nos obliga a hacerlo.
basis-vital-interests = Intereses vitales
basis-vital-interests-explained = Protege la vida o la salud de alguien.
basis-public-task = Una misión pública
basis-public-task-explained = Forma parte de una tarea de interés público.
basis-legitimate-interests = Nuestro interés legítimo
basis-legitimate-interests-explained = Podemos hacerlo sin preguntar porque es razonable y esperable; tienes derecho a oponerte, y entonces paramos.

## Situación de cada uso
status-granted = Activado: aceptaste el { $date }.
status-withdrawn = Desactivado: retiraste tu consentimiento el { $date }.
status-objected = Desactivado: te opusiste el { $date }.
status-allowed-again = Activado: volviste a permitirlo el { $date }.
status-off-until-asked = Desactivado: no lo hacemos salvo que aceptes.
status-on-until-objected = Activado, salvo que te opongas.
status-needed = Activado: es necesario por el motivo indicado.
status-paused = Desactivado por ahora, por otra decisión tuya (por ejemplo, una limitación que pediste).

## Opciones
action-grant = Aceptar
action-withdraw = Retirar el consentimiento
action-object = Oponerme
action-allow-again = Permitir de nuevo
notice-grant = Hecho: aceptaste «{ $purpose }».
notice-withdraw = Hecho: retiraste tu consentimiento a «{ $purpose }». Paramos de inmediato.
notice-object = Hecho: te opusiste a «{ $purpose }». Paramos de inmediato.

## Tus datos, en palabras
field-email = Dirección de correo
field-phone = Número de teléfono
field-name = Nombre
field-customer-number = Número de cliente
field-handle = Cuenta en { $platform }
field-account = Número de cuenta en { $platform }
field-other = Otro dato ({ $field })

## Tipos de datos (se usa el más concreto que aparezca aquí)
category-user = Información sobre ti
category-user-account = Tu cuenta
category-user-account-username = Tu nombre de usuario
category-user-authorization = Datos de acceso
category-user-behavior = Lo que hiciste con nosotros
category-user-behavior-purchase-history = Lo que compraste
category-user-biometric = Datos biométricos
category-user-childrens = Datos sobre menores
category-user-contact = Datos de contacto
category-user-contact-email = Dirección de correo
category-user-contact-phone-number = Número de teléfono
category-user-contact-address = Dirección postal
category-user-content = Lo que escribiste
category-user-content-public = Lo que publicaste
category-user-content-private = Tus mensajes privados
category-user-criminal-history = Antecedentes penales
category-user-demographic = Datos sobre ti
category-user-demographic-language = Tu idioma
category-user-device = Tu dispositivo
category-user-financial = Datos financieros
category-user-government-id = Números de identidad oficiales
category-user-health-and-medical = Información de salud
category-user-job-title = Puesto de trabajo
category-user-location = Dónde estás
category-user-location-imprecise = Tu ubicación aproximada
category-user-name = Tu nombre
category-user-payment = Datos de pago
category-user-privacy-preferences = Tus opciones de privacidad
category-user-sensor = Datos de sensores
category-user-social = Relaciones sociales
category-user-telemetry = Mediciones de uso
category-user-unique-id = Identificadores que te asignamos
category-user-user-sensor = Datos de sensores
category-user-workplace = Lugar de trabajo

## Quién ha visto tus datos
saw-title = Quién ha visto tus datos
saw-intro = Cada vez que alguien abre tus datos, queda escrito en un registro que no se puede cambiar después. Esto es lo que dice sobre ti, empezando por lo más reciente. El personal aparece por su puesto, no por su nombre.
saw-nothing = Nadie ha abierto tus datos todavía.
saw-when = Cuándo
saw-who = Quién
saw-what = Qué hizo
saw-why = Para
reader-operator = Nuestros sistemas, o el personal que los maneja
role-agent = Un agente de atención al cliente
role-analyst = Un analista
role-marketer = Una persona de marketing
role-compliance = Nuestro equipo de privacidad
role-admin = Un administrador
deed-access-allowed = leyó tus datos
deed-access-denied = pidió leer tus datos y se le denegó
deed-analytics-drill = abrió una de tus conversaciones desde un análisis
deed-rights = tramitó una solicitud tuya
deed-consent = registró una decisión por ti
deed-subject = actualizó tus datos
deed-outbox = te envió un mensaje
deed-export = preparó una copia de tus datos
deed-erase = borró tus datos
deed-hold = puso o levantó una retención legal sobre tus datos
deed-other = hizo algo con tus datos ({ $action })

## Quién recibe tus datos
received-title = Quién recibe tus datos
received-intro = Solo compartimos datos con estas organizaciones, con un acuerdo por escrito, y solo para el uso indicado.
received-nothing = No compartimos tus datos con nadie.
received-who = Quién
received-for = Para
received-what = Datos que recibe
received-agreement = Acuerdo
received-now = Ahora
received-on = Sí: tus decisiones lo permiten.
received-off = No: tus decisiones lo impiden.
agreement-valid = { $reference }, en vigor del { $from } al { $until }

## Venta y cesión (CCPA), y Global Privacy Control
sale-title = Venta y cesión de tus datos
sale-none = No vendemos tus datos ni los cedemos para publicidad en otros sitios.
sale-on = Algunos usos de arriba cuentan como venta o cesión de tus datos según la ley de California (para publicidad en otros sitios). Puedes excluirte de todos a la vez.
sale-off = Te excluiste de la venta y cesión de tus datos el { $date }.
sale-off-gpc = Te excluiste de la venta y cesión de tus datos: la señal Global Privacy Control de tu navegador nos lo indicó el { $date }.
sale-opt-out = Excluirme de la venta y cesión
gpc-seen = Tu navegador envía una señal Global Privacy Control. La tratamos como tu petición de excluirte de la venta y cesión, y la hemos registrado.
notice-opt-out-sale-share = Hecho: te excluiste de la venta y cesión de tus datos.

## Preguntas e inquietudes (/privacy/concerns)
concerns-link-title = Hacer una pregunta o plantear una inquietud
concerns-link-intro = Escribe a nuestro equipo de privacidad sobre cualquier cosa relacionada con tus datos. Respondemos en el plazo de un mes natural, aquí y por correo electrónico.
concerns-link = Hacer una pregunta o plantear una inquietud
concerns-title = Hacer una pregunta o plantear una inquietud
concerns-intro = Escribe a nuestro equipo de privacidad sobre cualquier cosa relacionada con tus datos: cómo los usamos, una decisión que tomaste, algo que te preocupa. Respondemos en el plazo de un mes natural. Puedes leer la respuesta en esta página, y también te la enviamos a tu dirección de correo.
concerns-back = Volver a tus datos
concerns-ask = Tu pregunta o inquietud
concerns-message = ¿Qué quieres preguntarnos o contarnos?
concerns-message-hint = Hasta { $max } caracteres. Por favor, no escribas contraseñas ni números de tarjeta.
concerns-send = Enviar al equipo de privacidad
concerns-sent = Enviado. Abajo figura la fecha en la que te responderemos, como muy tarde.
concerns-yours = Lo que nos has preguntado
concerns-none = Todavía no nos has preguntado nada.
concerns-raised = Enviado el { $date }
concerns-state = Estado
concerns-state-open = Pendiente de nuestra respuesta
concerns-state-answered = Respondido
concerns-state-closed = Cerrado
concerns-due = Respondemos antes del
concerns-reference = Referencia
concerns-you-wrote = Escribiste:
concerns-answer = Nuestra respuesta, del { $date }:
concerns-no-answer-yet = Todavía no hemos respondido.
concerns-error-empty = Escribe tu pregunta o inquietud: el mensaje está vacío. No se ha enviado nada.
concerns-error-too-long = Tu mensaje tiene { $chars } caracteres; acórtalo a { $max } como máximo. No se ha enviado nada.
concerns-error-control = Tu mensaje contiene un carácter que no podemos aceptar (el carácter { $position }). Quítalo y vuelve a enviarlo. No se ha enviado nada.
concerns-error-form = No hemos podido leer el formulario. Vuelve a escribir tu mensaje. No se ha enviado nada.
concerns-too-many = { $count } de tus preguntas o quejas esperan aún nuestra respuesta. Primero respondemos a esas; después puedes enviar más.
deed-concern = atendió una pregunta o inquietud tuya

## What changed: the policy's versions, the banner asking to renew consent
nav-label = Centro de privacidad
nav-dashboard = Tus datos
nav-changes = Qué ha cambiado
renew-label = Consentimiento que renovar
renew-banner = Hemos cambiado cómo usamos tus datos para { $purposes }: tu consentimiento anterior ya no vale hasta que lo renueves.
renew-see-changes = Ver qué ha cambiado
renew-button = Renovar mi consentimiento para «{ $purpose }»
changes-title = Qué ha cambiado
changes-intro = Cada versión de nuestra política sobre cómo usamos tus datos, de la más reciente a la más antigua, con lo que cambió en ella. Te avisamos por correo de cada cambio importante y, cuando un cambio necesita de nuevo tu consentimiento, dejamos de usar así tus datos hasta que nos lo des.
changes-version = Versión { $version }, publicada el { $date }
changes-first = La primera versión que publicamos.
changes-none = No cambió nada que afecte a tus datos.
changes-nothing = Todavía no se ha publicado ninguna política.
changes-material = Importante
changes-minor = Menor
change-controller = Ha cambiado nuestro nombre o nuestros datos de contacto.
change-collects-more = Ahora también recogemos: { $categories }.
change-collects-less = Ya no recogemos: { $categories }.
change-new-purpose = Un nuevo uso de tus datos: «{ $purpose }» (base jurídica: { $basis }).
change-purpose-removed = Hemos dejado de usar tus datos para «{ $purpose }».
change-basis = «{ $purpose }» se basa ahora en «{ $to }» en lugar de «{ $from }».
change-reads-more = «{ $purpose }» ahora también usa: { $categories }.
change-reads-less = «{ $purpose }» ya no usa: { $categories }.
change-retention-longer = «{ $purpose }»: ahora guardamos tus datos { $days } días en lugar de { $before }.
change-retention-shorter = «{ $purpose }»: ahora guardamos tus datos { $days } días en lugar de { $before }.
change-recipient = «{ $purpose }» ahora comparte tus datos con { $to ->
        [none] nadie
       *[other] { $to }
    } en lugar de { $from ->
        [none] nadie
       *[other] { $from }
    }.
change-ccpa = { $to ->
        [sale] «{ $purpose }» cuenta ahora como venta de tus datos según la ley de California.
        [share] «{ $purpose }» cuenta ahora como compartir tus datos para publicidad según la ley de California.
       *[none] «{ $purpose }» ya no cuenta como venta ni como compartir tus datos según la ley de California.
    }
change-default = { $to ->
        [opt_out] «{ $purpose }» funciona ahora hasta que te opongas, en lugar de esperar tu consentimiento.
        [opt_in] «{ $purpose }» espera ahora tu consentimiento.
       *[not_applicable] «{ $purpose }» ya no depende de lo que elijas.
    }
change-wording = Hemos cambiado la redacción de «{ $purpose }».
change-hold-added = Los datos guardados para «{ $purpose }» pueden conservarse ahora para reclamaciones legales.
change-hold-removed = Los datos guardados para «{ $purpose }» ya no se conservan para reclamaciones legales.
change-special-condition = Ha cambiado la condición con la que «{ $purpose }» puede usar datos de salud u otros datos sensibles.
change-recipient-new = Una nueva organización puede recibir tus datos: { $recipient } ({ $country }).
change-recipient-country = { $recipient } trata ahora tus datos en { $country }.
change-agreement-wider = Nuestro acuerdo con { $recipient } cubre ahora también: { $categories }.
change-agreement-dates = Nuestro acuerdo con { $recipient } está en vigor ahora del { $from } al { $until }.
change-recipient-removed = Ya no compartimos tus datos con { $recipient }.
change-roles = Ha cambiado qué equipos nuestros pueden usar tus datos y para qué.
status-renew = Desactivado hasta que renueves tu consentimiento: hemos cambiado este uso de tus datos desde que lo diste.
action-renew = Renovar el consentimiento
