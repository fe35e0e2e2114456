"""The cabinet's words in Russian (the default) and English, and money, days and instants written the
way each language writes them, in the operator's time zone (BILLING_TIMEZONE).

An API refusal (a problem's stable `code`) is shown in the page's language when its code is listed
here, else with the API's own `detail`; `FIELD_OF` says beside which field of the form it belongs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

from shared.calendar import local_date

__all__ = ["FIELD_OF", "LANGUAGES", "Lang", "Words", "words"]

Lang = Literal["ru", "en"]
LANGUAGES: tuple[Lang, ...] = ("ru", "en")

_TEXT: dict[str, tuple[str, str]] = {
    # layout
    "cabinet": ("Личный кабинет", "Personal cabinet"),
    "skip": ("К содержимому", "Skip to content"),
    "accounts": ("Лицевые счета", "Accounts"),
    "profile": ("Профиль", "Profile"),
    "business": ("Абоненты организации", "Organization subscribers"),
    "logout": ("Выйти", "Log out"),
    "language": ("Язык", "Language"),
    "switch": ("Сменить", "Switch"),
    "times_in": ("Даты и время — часовой пояс оператора:", "Dates and times are in the operator's time zone:"),
    "business_date": ("операционный день", "business date"),
    "back": ("Назад", "Back"),
    "save": ("Сохранить", "Save"),
    "show": ("Показать", "Show"),
    "error": ("Ошибка", "Error"),
    "not_found": ("Не найдено", "Not found"),
    "not_found_text": ("Такой страницы нет, или она вам недоступна.",
                       "There is no such page, or it is not yours to see."),
    "fix_below": ("Исправьте отмеченные поля.", "Please correct the marked fields."),
    "done": ("Готово.", "Done."),
    "none": ("нет", "none"),
    "total": ("Всего", "Total"),
    # login
    "login_title": ("Вход в личный кабинет", "Log in to the cabinet"),
    "login": ("Номер договора или телефон", "Contract number or phone"),
    "password": ("Пароль", "Password"),
    "log_in": ("Войти", "Log in"),
    "by_password": ("Вход по паролю", "Log in with a password"),
    "by_sms": ("Вход по SMS-коду", "Log in with an SMS code"),
    "phone": ("Телефон", "Phone"),
    "send_code": ("Прислать код", "Send the code"),
    "code": ("Код из SMS", "Code from the SMS"),
    "code_sent": ("Если номер зарегистрирован, на него отправлен код.",
                  "If the number is registered, a code was sent to it."),
    "recovery": ("Забыли пароль?", "Forgot the password?"),
    "recovery_login": ("Ваш логин (договор или телефон)", "Your login (contract or phone)"),
    "send_password": ("Прислать временный пароль", "E-mail a temporary password"),
    "recovery_sent": ("Если логин известен, временный пароль отправлен на его e-mail (действует 24 часа).",
                      "If the login is known, a temporary password was e-mailed (valid 24 hours)."),
    "change_password": ("Смена пароля", "Change the password"),
    "change_password_due": ("Перед началом работы смените пароль.", "Please change your password first."),
    "current_password": ("Текущий (временный) пароль", "Current (temporary) password"),
    "new_password": ("Новый пароль", "New password"),
    "contact_phone_optional": ("Контактный телефон (при первом входе)", "Contact phone (at the first login)"),
    # selector and main screen
    "choose_account": ("Выберите лицевой счёт", "Choose an account"),
    "contract": ("Договор", "Contract"),
    "account": ("Лицевой счёт", "Account"),
    "client": ("Клиент", "Client"),
    "status": ("Статус", "Status"),
    "open": ("Открыть", "Open"),
    "balance": ("Баланс", "Balance"),
    "available": ("Доступно", "Available"),
    "promised_outstanding": ("Обещанный платёж к погашению", "Promised payment outstanding"),
    "tariff": ("Тариф", "Tariff"),
    "monthly_fee": ("Абонентская плата в месяц", "Monthly fee"),
    "services": ("Подключённые услуги", "Connected services"),
    "lines": ("Услуги и тарифы", "Lines and tariffs"),
    "no_add_ons": ("Дополнительных услуг нет", "No add-ons"),
    "messages": ("Сообщения", "Messages"),
    "new_messages": ("новых сообщений", "new messages"),
    "payments": ("История платежей", "Payment history"),
    "top_up": ("Пополнить счёт", "Top up"),
    "promised": ("Обещанный платёж", "Promised payment"),
    "blocks": ("Добровольная блокировка", "Voluntary blocks"),
    "autopay": ("Автоплатёж", "Autopay"),
    "guarantees": ("Гарантийные письма", "Payment guarantees"),
    "status_active": ("Активен", "Active"),
    "status_blocked_financial": ("Заблокирован: недостаточно средств", "Blocked: insufficient funds"),
    "status_blocked_voluntary": ("Добровольная блокировка", "Voluntarily blocked"),
    "status_closed": ("Закрыт", "Closed"),
    # history and top-up
    "from": ("С", "From"),
    "to": ("По", "To"),
    "date": ("Дата", "Date"),
    "amount": ("Сумма", "Amount"),
    "method": ("Способ", "Method"),
    "reversed": ("отменён", "reversed"),
    "no_payments": ("Платежей за период нет.", "No payments in this period."),
    "provider": ("Платёжная система", "Payment provider"),
    "pay": ("Перейти к оплате", "Go to payment"),
    "top_up_note": ("Вы перейдёте на страницу платёжной системы и вернётесь в кабинет после оплаты.",
                    "You will go to the provider's page and come back to the cabinet after paying."),
    # promised payment
    "promised_offer": ("Можно взять до {max} на {days} дн.; рекомендуем {recommended}.",
                       "You can take up to {max} for {days} days; we suggest {recommended}."),
    "promised_unavailable": ("Обещанный платёж сейчас недоступен", "A promised payment is not available now"),
    "take": ("Взять обещанный платёж", "Take the promised payment"),
    "taken": ("Обещанный платёж зачислен.", "The promised payment is credited."),
    "due": ("Погасить до", "Due"),
    "outstanding": ("Осталось погасить", "Outstanding"),
    "history": ("История", "History"),
    # blocks
    "conditions": ("Условия", "Conditions"),
    "block_terms": ("От {min} до {max} дней, {quota} раз(а) в календарный год, стоимость {fee}.",
                    "{min} to {max} days, {quota} time(s) a calendar year, fee {fee}."),
    "blocks_left": ("Осталось блокировок в {year} году: {n}", "Blocks left in {year}: {n}"),
    "not_offered": ("На этом тарифе добровольная блокировка не предусмотрена.",
                    "Voluntary blocks are not offered on this tariff."),
    "starts_on": ("Первый день", "First day"),
    "days": ("Число дней", "Days"),
    "preview": ("Рассчитать", "Preview"),
    "preview_text": ("Блокировка с {start} по {end} включительно, услуга возобновится {resume}. "
                     "Будет использована 1 блокировка из {left} доступных в {year} году.",
                     "Block from {start} to {end} inclusive; service resumes on {resume}. "
                     "1 block will be used of the {left} left in {year}."),
    "schedule": ("Запланировать блокировку", "Schedule the block"),
    "scheduled_blocks": ("Запланированные и действующие", "Scheduled and running"),
    "block_history": ("Прошедшие и отменённые", "Past and cancelled"),
    "period": ("Период", "Period"),
    "state": ("Состояние", "State"),
    "cancel": ("Отменить", "Cancel"),
    "lift": ("Снять досрочно", "Lift early"),
    "state_scheduled": ("запланирована", "scheduled"),
    "state_active": ("действует", "running"),
    "state_ended": ("завершена", "ended"),
    "state_cancelled": ("отменена", "cancelled"),
    "no_blocks": ("Нет.", "None."),
    "block_scheduled": ("Блокировка запланирована.", "The block is scheduled."),
    # autopay
    "autopay_on": ("Автоплатёж включён: {method}, предел {cap}.", "Autopay is on: {method}, cap {cap}."),
    "autopay_off": ("Автоплатёж выключен.", "Autopay is off."),
    "method_token": ("Токен сохранённой карты", "Saved card token"),
    "cap": ("Предел суммы (необязательно)", "Cap (optional)"),
    "enable": ("Включить", "Enable"),
    "disable": ("Выключить", "Disable"),
    "no_cap": ("без предела", "no cap"),
    "last_charge": ("Последнее списание", "Last charge"),
    # profile
    "full_name": ("ФИО", "Full name"),
    "contact_phone": ("Контактный телефон", "Contact phone"),
    "sms_phone": ("Телефон для SMS", "SMS phone"),
    "confirmed": ("подтверждён", "confirmed"),
    "not_confirmed": ("не подтверждён", "not confirmed"),
    "email": ("Электронная почта", "E-mail"),
    "address": ("Адрес", "Address"),
    "confirm_phone": ("Подтверждение телефона для SMS", "Confirm the SMS phone"),
    "phone_code_sent": ("Код отправлен на телефон для SMS.", "A code was sent to the SMS phone."),
    "confirm": ("Подтвердить", "Confirm"),
    "notification_addresses": ("Адреса для уведомлений", "Notification addresses"),
    # messages
    "channel": ("Канал", "Channel"),
    "text": ("Текст", "Text"),
    "no_messages": ("Сообщений нет.", "No messages."),
    "msg_sent": ("отправлено", "sent"),
    "msg_pending": ("ожидает отправки", "pending"),
    "msg_failed": ("не доставлено", "failed"),
    # business
    "number": ("Номер (% — любые цифры, _ — одна цифра)", "Number (% any digits, _ one digit)"),
    "search": ("Найти", "Search"),
    "identifier": ("Номер", "Number"),
    "subscriber_name": ("Имя абонента", "Subscriber name"),
    "rename": ("Переименовать", "Rename"),
    "renamed": ("Переименовано: {n}.", "Renamed: {n}."),
    "rename_list": ("Переименовать списком", "Rename by list"),
    "rename_list_help": ("По строке на абонента: счёт;линия;имя", "One subscriber a line: account;line;name"),
    "no_subscribers": ("Никого не найдено.", "Nobody found."),
    "pay_by": ("Оплатить до", "Pay by"),
    "invoice_ref": ("Номер счёта (необязательно)", "Invoice number (optional)"),
    "register": ("Зарегистрировать", "Register"),
    "registered_at": ("Зарегистрировано", "Registered"),
    # charges and invoices
    "charges": ("Начисления", "Charges"),
    "charges_history": ("Расход средств", "Charges history"),
    "month": ("Месяц", "Month"),
    "net": ("Сумма без НДС", "Net"),
    "vat_rate": ("Ставка НДС", "VAT rate"),
    "vat": ("НДС", "VAT"),
    "other_tax": ("Налог на услуги", "Other tax"),
    "charge_item": ("Услуга", "Service"),
    "account_wide": ("По лицевому счёту", "Account-wide"),
    "no_charges": ("Начислений за период нет.", "No charges in this period."),
    "shown_of": ("Показаны {first}–{last} из {total}.", "Showing {first}–{last} of {total}."),
    "pages": ("Страницы", "Pages"),
    "page_previous": ("← Предыдущие", "← Previous"),
    "page_next": ("Следующие →", "Next →"),
    "invoices": ("Счета и документы", "Invoices and documents"),
    "invoices_note": ("Просмотр счёта возможен за предыдущие два месяца. Закажите документ, затем скачайте его, "
                      "когда он будет готов.",
                      "Invoices of the two previous months. Order a document, then download it once it is ready."),
    "orders_closed": ("С 1 по 3 число счета формируются: документы можно заказать с 4 числа.",
                      "Invoices are generated on days 1 to 3: documents can be ordered from the 4th."),
    "invoice_no": ("Счёт № {number}", "Invoice No. {number}"),
    "issued": ("Выставлен", "Issued"),
    "document": ("Документ", "Document"),
    "ordered_at": ("Заказан", "Ordered"),
    "doc_ordered": ("готовится", "being made"),
    "doc_ready": ("готов", "ready"),
    "doc_failed": ("не удалось сформировать", "failed"),
    "download": ("Скачать", "Download"),
    "document_format": ("Формат", "Format"),
    "order_document": ("Заказать документ", "Order the document"),
    "xlsx_split": ("Excel с разбивкой", "Excel split by time of day"),
    "no_invoices": ("Счетов за два предыдущих месяца нет.", "No invoices in the two previous months."),
    "invoice_ordered": ("Документ заказан: он появится в списке, когда будет готов.",
                        "The document is ordered: it shows here once it is ready."),
    "invoice_delivery": ("Способ доставки сохранён.", "The delivery method is saved."),
    "delivery": ("Доставка счетов", "Invoice delivery"),
    "delivery_method": ("Способ доставки", "Delivery method"),
    "delivery_email": ("Счета приходят по e-mail ({format}) на адреса: {addresses}.",
                       "Invoices are e-mailed ({format}) to: {addresses}."),
    "delivery_self": ("Получает сам.", "Collected in person."),
    "by_email": ("По e-mail", "By e-mail"),
    "self_pickup": ("Получает сам", "Collected in person"),
    "delivery_addresses": ("Адреса e-mail через «;» без пробелов (до 200 символов)",
                           "E-mail addresses separated by ';' without spaces (200 characters at most)"),
    # installments and reports
    "installments": ("Информация по рассрочке", "Installments"),
    "installments_note": ("Оставшиеся платежи за оборудование, приобретённое в рассрочку, размер ежемесячного "
                          "платежа и срок погашения.",
                          "Payments left for equipment bought in installments, the monthly payment and the payoff "
                          "date."),
    "installments_all": ("Все рассрочки лицевого счёта", "All installments of the account"),
    "installment_item": ("Оборудование", "Equipment"),
    "subscriber": ("Абонент", "Subscriber"),
    "installment_total": ("Стоимость", "Price"),
    "installment_monthly": ("Ежемесячный платёж", "Monthly payment"),
    "installment_last": ("последний {amount}", "the last {amount}"),
    "installment_left": ("Осталось платежей", "Payments left"),
    "installment_paid": ("Оплачено", "Paid so far"),
    "installment_payoff": ("Срок погашения", "Payoff date"),
    "installment_early": ("погашена досрочно", "paid off early"),
    "no_installments": ("Оборудования в рассрочку нет.", "No equipment in installments."),
    "reports": ("Отчёты", "Reports"),
    "reports_note": ("Отчёт по платежам и списаниям по лицевому счёту за выбранные дни (за последние 12 месяцев). "
                     "Формирование занимает некоторое время: скачайте отчёт, когда он будет готов.",
                     "Payments and charges of the account over the days chosen (the last 12 months). It takes a "
                     "moment to make: download it once it is ready."),
    "order_report": ("Заказать отчёт", "Order the report"),
    "report_ordered": ("Отчёт заказан: он появится в списке, когда будет готов.",
                       "The report is ordered: it shows here once it is ready."),
    "no_reports": ("Отчётов пока нет.", "No reports yet."),
    # add-ons and requisites
    "add_ons": ("Дополнительные услуги", "Add-ons"),
    "manage_add_ons": ("Дополнительные услуги номера", "Add-ons of"),
    "connected": ("подключена", "connected"),
    "not_connected": ("не подключена", "not connected"),
    "connect": ("Подключить", "Connect"),
    "disconnect": ("Отключить", "Disconnect"),
    "by_application": ("только по заявлению", "by written application only"),
    "add_on_connect": ("Услуга подключена.", "The add-on is connected."),
    "add_on_disconnect": ("Услуга отключена.", "The add-on is disconnected."),
    "requisites": ("Реквизиты", "Requisites"),
    "tax_id": ("УНП", "Tax id"),
    "bank_accounts": ("Расчётные счета", "Settlement accounts"),
    "legal_address": ("Юридический адрес", "Legal address"),
    "payment_form": ("Форма оплаты", "Payment form"),
    "pf_prepaid": ("авансовая", "prepaid"),
    "pf_postpaid": ("кредитная", "postpaid"),
    "opened_at": ("Лицевой счёт открыт", "Account opened"),
    "dm_cabinet": ("в личном кабинете", "in the cabinet"),
    "dm_email": ("по e-mail", "by e-mail"),
    "dm_post": ("почтой", "by post"),
    # support requests
    "support": ("Заявки", "Support requests"),
    "topic": ("Тема", "Topic"),
    "topic_internet": ("Интернет", "Internet"),
    "topic_tv": ("Телевидение", "TV"),
    "topic_telephony": ("Телефония", "Telephony"),
    "topic_payments": ("Платежи", "Payments"),
    "topic_documents": ("Документы", "Documents"),
    "topic_other": ("Другое", "Other"),
    "title": ("Заголовок", "Title"),
    "request_text": ("Текст обращения", "Your message"),
    "file_request": ("Отправить заявку", "File the request"),
    "new_request": ("Новая заявка", "New request"),
    "updated_at": ("Обновлена", "Updated"),
    "response_time": ("Время ответа", "Response time"),
    "minutes_n": ("{n} мин", "{n} min"),
    "no_requests": ("Заявок нет.", "No requests."),
    "req_open": ("открыта", "open"),
    "req_closed": ("закрыта", "closed"),
    "by_author": ("Вы", "You"),
    "by_operator": ("Поддержка", "Support"),
    "add_message": ("Дополнить заявку", "Add to the request"),
    "send": ("Отправить", "Send"),
    # telephony
    "telephony": ("Телефония", "Telephony"),
    "usage_this_month": ("Расход в этом месяце", "Usage this month"),
    "free_minutes_left": ("Осталось бесплатных минут", "Free minutes left"),
    "channels": ("Каналов", "Channels"),
    "line_active": ("✔ активен", "✔ active"),
    "line_paused": ("■ пауза", "■ paused"),
    "line_closed": ("■ закрыт", "■ closed"),
    "no_phone_lines": ("Телефонных номеров нет.", "No phone numbers."),
    "call_detail": ("Детализация звонков", "Call detail"),
    "current_period": ("Текущий период", "Current period"),
    "direction": ("Направление", "Direction"),
    "dir_both": ("Все", "All"),
    "dir_out": ("Исходящие", "Outgoing"),
    "dir_in": ("Входящие", "Incoming"),
    "as_of": ("Данные по {day} включительно.", "As of {day} inclusive."),
    "started_at": ("Начало", "Started"),
    "caller": ("Кто звонил", "Caller"),
    "callee": ("Кому", "Callee"),
    "destination": ("Направление вызова", "Destination"),
    "duration": ("Длительность", "Duration"),
    "no_calls": ("За выбранный период не было входящего/исходящего трафика.",
                 "There were no incoming or outgoing calls in the chosen period."),
    "channel_package": ("Пакет каналов", "Channel package"),
    "channels_unavailable": ("Пакет каналов доступен только на тарифе «SIP-соединение».",
                             "Channel packages come with the «SIP-соединение» tariff only."),
    "current_package": ("Сейчас: {name}, {fee} в месяц.", "Now: {name}, {fee} a month."),
    "no_package": ("Пакет не подключён.", "No package."),
    "next_change": ("Пакет меняется не чаще раза в 7 дней: следующее изменение возможно с {when}.",
                    "The package changes at most once in 7 days: the next change is possible from {when}."),
    "choose_package": ("Выберите пакет", "Choose a package"),
    "per_month": ("в месяц", "a month"),
    "review_change": ("Проверить изменение", "Review the change"),
    "review": ("Проверьте изменение", "Review the change"),
    "review_text": ("Новый пакет: {name}, {fee} в месяц (НДС {rate}%), с {when}. "
                    "Следующее изменение — не раньше {next}.",
                    "New package: {name}, {fee} a month (VAT {rate}%), from {when}. "
                    "The next change: not before {next}."),
    "confirm_change": ("Подтвердить изменение", "Confirm the change"),
    "channels_changed": ("Пакет каналов изменён.", "The channel package is changed."),
    "sip_settings": ("Настройки SIP", "SIP settings"),
    "sip_account": ("Учётная запись", "Account name"),
    "sip_server": ("SIP-сервер", "SIP server"),
    "ip_address": ("IP-адрес", "IP address"),
    "password_changed_at": ("Пароль изменён", "Password changed"),
    "sip_change_password": ("Сменить пароль SIP", "Change the SIP password"),
    "sip_new_password": ("Новый пароль (8–64 символа; пусто — сгенерировать)",
                         "New password (8-64 characters; empty: generate one)"),
    "sip_change": ("Сменить пароль", "Change the password"),
    "sip_password_changed": ("Пароль SIP изменён.", "The SIP password is changed."),
    "sip_generated": ("Новый пароль (показан один раз, сохраните его):", "The new password (shown once, keep it):"),
    # tariff change, service password, TV packages
    "change_tariff": ("Смена тарифа", "Change the tariff"),
    "tariff_not_changeable": ("Этот тариф в личном кабинете не меняется: обратитесь в отдел подключений.",
                              "This tariff is not changed in the cabinet: please contact the sales office."),
    "no_other_tariffs": ("Других тарифов для смены нет.", "There are no other tariffs to change to."),
    "new_tariff": ("Новый тариф", "New tariff"),
    "tariff_when": ("Когда сменить", "When"),
    "mode_next_period": ("С начала следующего периода", "From the next period"),
    "mode_now": ("Сейчас (абонентская плата пересчитывается за дни)", "Now (the fee is prorated by days)"),
    "change": ("Сменить", "Change"),
    "tariff_next_period": ("Смена тарифа запланирована с {day}.", "The tariff changes on {day}."),
    "tariff_now": ("Тариф изменён с {day}.", "The tariff is changed from {day}."),
    "service_password": ("Пароль услуги", "Service password"),
    "service_password_help": ("Пароль для входа в интернет или ТВ: 8–64 латинских символа, буквы и цифры, не менее 4 "
                              "разных, не содержит логин. Вводится дважды и нигде не показывается.",
                              "The internet or TV login password: 8 to 64 ASCII characters, letters and digits, at "
                              "least 4 different, not containing the login. Entered twice, never shown."),
    "password_confirmation": ("Пароль ещё раз", "The password again"),
    "service_password_changed": ("Пароль услуги изменён.", "The service password is changed."),
    "tv_packages": ("Пакеты ТВ-партнёров", "TV partner packages"),
    "partner": ("Партнёр", "Partner"),
    "partner_account": ("Учётная запись у партнёра", "Partner account"),
    "tv_connect": ("Пакет подключён.", "The package is connected."),
    "tv_end": ("Пакет отключён.", "The package is ended."),
    # a mobile number
    "mobile": ("Мобильная связь", "Mobile"),
    "mobile_internet": ("Мобильный интернет", "Mobile internet"),
    "internet_enabled": ("Мобильный интернет включён", "Mobile internet on"),
    "package": ("Пакет", "Package"),
    "no_package_chosen": ("без пакета", "no package"),
    "on": ("включено", "on"),
    "off": ("выключено", "off"),
    "pause": ("Пауза", "Pause"),
    "paused_label": ("Номер на паузе", "Number paused"),
    "pause_note": ("На паузе звонки номера не обслуживаются; абонентская плата продолжает начисляться.",
                   "While paused the number's calls are not served; the monthly fee keeps running."),
    "call_forwarding": ("Переадресация", "Call forwarding"),
    "condition": ("Условие", "Condition"),
    "cond_unconditional": ("Всегда", "Always"),
    "cond_busy": ("Если занято", "When busy"),
    "cond_no_answer": ("Если не отвечает", "On no answer"),
    "cond_unreachable": ("Если недоступен", "When unreachable"),
    "forward_to": ("Номер для переадресации (пусто — отменить)", "Forward to (empty: cancel)"),
    "voicemail_copy": ("Копия голосовой почты на e-mail", "Voicemail copy by e-mail"),
    "voicemail_email": ("E-mail (пусто — отменить)", "E-mail (empty: cancel)"),
    "voicemail_needs_plus": ("Нужна услуга «Голосовая почта (пакет «Плюс»)».", "Needs voicemail «Plus»."),
    "closed_user_group": ("Закрытая группа абонентов", "Closed user group"),
    "sim_codes": ("PIN- и PUK-коды SIM-карты", "The SIM card's PIN and PUK codes"),
    "sim_not_recorded": ("Коды ещё не внесены.", "The codes are not recorded yet."),
    "mobile_internet_done": ("Мобильный интернет сохранён.", "Mobile internet is saved."),
    "mobile_pause_done": ("Пауза сохранена.", "The pause is saved."),
    "mobile_forwarding_done": ("Переадресация сохранена.", "Call forwarding is saved."),
    "mobile_voicemail-copy_done": ("Копия голосовой почты сохранена.", "The voicemail copy is saved."),
    # ordered by e-mail
    "order_detail": ("Детализация на e-mail", "Call detail by e-mail"),
    "order_detail_note": ("За текущий и предыдущий месяц; файл CSV придёт на e-mail из профиля.",
                          "Of the current and the previous month; a CSV file goes to your profile's e-mail."),
    "detail_numbers": ("Номера", "Numbers"),
    "date_from": ("С", "From"),
    "date_to": ("По", "To"),
    "order": ("Заказать", "Order"),
    "detail_ordered": ("Детализация заказана: она придёт на {email}.",
                       "The call detail is ordered: it goes to {email}."),
    "invoice_mailings": ("Счета по e-mail", "Invoices by e-mail"),
    "resend": ("Отправить счёт повторно", "E-mail an invoice again"),
    "resend_note": ("Счёт прошлого месяца уйдёт на текущий адрес доставки.",
                    "A past month's invoice goes to the current delivery address."),
    "preliminary": ("Предварительный счёт", "Preliminary invoice"),
    "preliminary_note": ("Счёт текущего месяца на сегодня: по всему лицевому счёту или по номерам.",
                         "The current month so far: the whole account or some of its numbers."),
    "preliminary_numbers": ("Номера через «;» (необязательно: пусто — все)",
                            "Numbers separated by ';' (optional: empty means all)"),
    "mailing_resend": ("Счёт отправлен повторно.", "The invoice is e-mailed again."),
    "mailing_preliminary": ("Предварительный счёт заказан: он придёт на e-mail.",
                            "The preliminary invoice is ordered: it comes by e-mail."),
    "charges_mail": ("Начисления текущего месяца по абонентам", "This month's charges per subscriber"),
    "charges_mail_note": ("Начисления с начала месяца по каждому абоненту: по всему лицевому счёту или по номерам.",
                          "Each subscriber's charges since the 1st: the whole account or some of its numbers."),
    "mailing_charges": ("Начисления заказаны: они придут на e-mail.", "The charges are ordered: they come by e-mail."),
    # notification preferences, knowledge base
    "notification_settings": ("Настройка уведомлений", "Notification settings"),
    "notification_note": ("Отметьте, как получать каждое уведомление; без отметок уведомление не приходит.",
                          "Tick how each notification reaches you; with no tick it is not sent."),
    "by_default": ("по умолчанию", "by default"),
    "not_choosable": ("не настраивается", "not adjustable"),
    "ch_sms": ("SMS", "SMS"),
    "ch_email": ("E-mail", "E-mail"),
    "nt_payment_received": ("Поступление платежа", "Payment received"),
    "nt_promised_payment": ("Обещанный платёж", "Promised payment"),
    "nt_autopay": ("Автоплатёж", "Autopay"),
    "nt_blocks": ("Добровольные блокировки", "Voluntary blocks"),
    "nt_financial_block": ("Финансовая блокировка", "Financial block"),
    "nt_invoices": ("Счета", "Invoices"),
    "nt_support": ("Заявки", "Support requests"),
    "nt_period_end_reminder": ("Напоминание о конце периода", "Period end reminder"),
    "knowledge_base": ("База знаний", "Knowledge base"),
    # one add-on action over a list of subscribers
    "bulk_title": ("Услуга для выбранных абонентов", "An add-on for the chosen subscribers"),
    "bulk_help": ("Отметьте абонентов: действие выполняется для всех отмеченных или ни для кого.",
                  "Tick the subscribers: the action is done for all of them or for none."),
    "choose_subscriber": ("Выбрать", "Choose"),
    "add_on": ("Услуга", "Add-on"),
    "action": ("Действие", "Action"),
    "apply": ("Применить", "Apply"),
    "bulk_connect": ("Услуга подключена абонентам: {n}.", "The add-on is connected for {n} subscriber(s)."),
    "bulk_disconnect": ("Услуга отключена абонентам: {n}.", "The add-on is disconnected for {n} subscriber(s)."),
}

#: The API's refusals in the page's language (else the API's `detail`).
_PROBLEMS: dict[str, tuple[str, str]] = {
    "auth.invalid_credentials": ("Неверный номер договора, телефон или пароль.",
                                 "Wrong contract number, phone or password."),
    "auth.code_invalid": ("Неверный или просроченный код.", "The code is wrong or has expired."),
    "password.current_wrong": ("Неверный текущий пароль.", "The current password is wrong."),
    "auth.rate_limited": ("Слишком много попыток, попробуйте позже.", "Too many attempts; try again later."),
    "block.financially_blocked": ("Добровольная блокировка недоступна, пока действует финансовая блокировка.",
                                  "A voluntary block is not available while a financial block is on."),
    "block.starts_in_past": ("Блокировка начинается не раньше сегодняшнего дня.", "A block starts today or later."),
    "block.starts_too_late": ("Блокировку можно запланировать не более чем на год вперёд.",
                              "A block can be booked at most a year ahead."),
    "block.quota_used_up": ("Все блокировки этого года использованы.", "All of this year's blocks are used."),
    "block.overlaps": ("Период пересекается с другой блокировкой.", "The period overlaps another block."),
    "block.not_offered": ("На этом тарифе добровольная блокировка не предусмотрена.",
                          "Voluntary blocks are not offered on this tariff."),
    "promised_payment.already_outstanding": ("Предыдущий обещанный платёж ещё не погашен.",
                                             "The previous promised payment is not repaid yet."),
    "request.date_range_too_old": ("История платежей доступна за последние 12 месяцев.",
                                   "Payment history goes back 12 months."),
    "request.invalid_date_range": ("Начало периода позже его конца.", "The period's start is after its end."),
    "charges.period_out_of_range": ("Начисления показываются за текущий и два предыдущих месяца.",
                                    "Charges are shown for the current month and the two before it."),
    "channels.change_too_soon": ("Пакет каналов меняется не чаще раза в 7 дней.",
                                 "The channel package changes at most once in 7 days."),
    "channels.unchanged": ("Этот пакет уже подключён.", "This package is already on."),
    "invoice.window_closed": ("С 1 по 3 число счета формируются: закажите документ с 4 числа.",
                              "Invoices are generated on days 1 to 3: order the document from the 4th."),
    "delivery.addresses_too_long": ("Адреса длиннее 200 символов.", "The addresses are longer than 200 characters."),
    "delivery.address_invalid": ("Неверный адрес e-mail.", "An e-mail address is not valid."),
    "delivery.no_email": ("Для доставки по e-mail укажите адрес.", "Give an address for e-mail delivery."),
    "sip.password_invalid": ("От 8 до 64 печатных символов, без пробелов.", "8 to 64 printable characters, no spaces."),
    "add_on.not_self_service": ("Эта услуга подключается только по письменному заявлению.",
                                "This add-on is connected by written application only."),
    "add_on.financially_blocked": ("Услуги не подключаются, пока действует финансовая блокировка.",
                                   "Add-ons cannot be connected while a financial block is on."),
    "support_request.closed": ("Заявка закрыта: создайте новую.", "The request is closed: file a new one."),
    "service_password.mismatch": ("Пароли не совпадают.", "The passwords differ."),
    "service_password.too_weak": ("Пароль слишком простой: 8–64 латинских символа, буквы и цифры, не менее 4 "
                                  "разных, без логина.", "The password is too weak: 8 to 64 ASCII characters, "
                                  "letters and digits, at least 4 different, without the login."),
    "tariff.change_not_allowed": ("Этот тариф в личном кабинете не меняется.", "This tariff is not changed here."),
    "tariff.same": ("Это ваш текущий тариф.", "This is your current tariff."),
    "tv.partner_refused": ("Партнёр отказал в подключении: ничего не изменено.",
                           "The partner refused: nothing changed."),
    "tv.partner_unavailable": ("Партнёр не ответил: попробуйте позже, ничего не изменено.",
                               "The partner did not answer: try later, nothing changed."),
    "add_on.bulk_refused": ("Ничего не изменено, отказано:", "Nothing changed; refused:"),
    "add_on.already_connected": ("уже подключена", "already connected"),
    "add_on.not_connected": ("не подключена", "not connected"),
    "add_on.not_for_line": ("не предусмотрена тарифом", "not offered on the tariff"),
    "detail.email_missing": ("Укажите e-mail в профиле, чтобы получить детализацию.",
                             "Add an e-mail to your profile to receive the detail."),
    "detail.foreign_number": ("Номер не принадлежит вашей организации.", "A number is not your organization's."),
    "voicemail.plus_not_connected": ("Сначала подключите «Голосовую почту (пакет «Плюс»)».",
                                     "Connect voicemail «Plus» first."),
    "network.unavailable": ("Сеть не ответила: попробуйте позже, ничего не изменено.",
                            "The network did not answer: try later, nothing changed."),
    "invoice.not_found": ("Счёта за этот месяц нет.", "There is no invoice for this month."),
    "invoice.foreign_numbers": ("Номера не принадлежат этому лицевому счёту.", "The numbers are not this account's."),
    "report.range_invalid": ("Начало периода позже его конца или конец позже сегодняшнего дня.",
                             "The start is after the end, or the end is after today."),
    "form.required": ("Заполните поле.", "Please fill this in."),
    "form.invalid": ("Неверное значение.", "This value is not valid."),
    "csrf.failed": ("Форма устарела: откройте страницу заново и повторите.",
                    "The form has expired: open the page again and retry."),
}

#: Beside which form field a refusal belongs (else above the form).
FIELD_OF: dict[str, str] = {
    "auth.invalid_credentials": "password",
    "auth.code_invalid": "code",
    "auth.code_expired": "code",
    "auth.code_used": "code",
    "block.period_out_of_range": "days",
    "block.starts_in_past": "starts_on",
    "block.starts_too_late": "starts_on",
    "block.overlaps": "starts_on",
    "request.invalid_date_range": "from",
    "guarantee.pay_by_too_late": "pay_by",
    "email.invalid": "email",
    "delivery.addresses_too_long": "addresses",
    "delivery.address_invalid": "addresses",
    "delivery.no_email": "addresses",
    "service_password.mismatch": "password_confirmation",
    "service_password.too_weak": "password",
    "tariff.same": "tariff_id",
    "detail.email_missing": "numbers",
    "detail.foreign_number": "numbers",
    "detail.numbers_invalid": "numbers",
    "detail.period_out_of_range": "date_from",
    "detail.range_out_of_range": "date_from",
    "invoice.foreign_numbers": "numbers",
    "invoice.numbers_invalid": "numbers",
    "voicemail.plus_not_connected": "voicemail_email",
}


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@dataclass(frozen=True)
class Words:
    """One request's language and the operator's time zone: what the templates call."""

    lang: Lang
    timezone: ZoneInfo
    now: datetime

    def t(self, key: str, **values: object) -> str:
        pair = _TEXT.get(key)
        text = key if pair is None else pair[0 if self.lang == "ru" else 1]
        return text.format(**values) if values else text

    def problem(self, code: str, detail: str) -> str:
        pair = _PROBLEMS.get(code)
        return detail if pair is None else pair[0 if self.lang == "ru" else 1]

    def money(self, value: object) -> str:
        """`1 234,56` in Russian, `1,234.56` in English (the amounts are exact decimals already)."""
        amount = _decimal(value)
        if amount is None:
            return "—"
        text = f"{amount:,.2f}"
        if self.lang == "ru":
            text = text.replace(",", "\u00a0").replace(".", ",")
        return text.replace("-", "\u2212")

    def day(self, value: object) -> str:
        if value in (None, ""):
            return "—"
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return day.strftime("%d.%m.%Y") if self.lang == "ru" else f"{day.day} {day.strftime('%b %Y')}"

    def month(self, period: object) -> str:
        """A month (`2026-11`) as the language names it: `11.2026`, `Nov 2026`."""
        try:
            first = date.fromisoformat(f"{period}-01")
        except ValueError:
            return str(period)
        return first.strftime("%m.%Y") if self.lang == "ru" else first.strftime("%b %Y")

    def instant(self, value: object) -> str:
        """An instant in the operator's time zone."""
        if value in (None, ""):
            return "—"
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        local = moment.astimezone(self.timezone)
        return f"{self.day(local.date())} {local.strftime('%H:%M')}"

    @property
    def zone(self) -> str:
        """The time zone as the page states it: `Europe/Minsk (UTC+03:00)`."""
        offset = self.now.astimezone(self.timezone).strftime("%z")
        return f"{self.timezone.key} (UTC{offset[:3]}:{offset[3:]})"


    @property
    def today(self) -> date:
        """The business date: the day it is now in the operator's time zone."""
        return local_date(self.now, self.timezone)


def words(lang: str | None, timezone: ZoneInfo, now: datetime) -> Words:
    return Words("en" if lang == "en" else "ru", timezone, now)
